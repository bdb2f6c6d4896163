/**
 * The `model` section: what the build stage makes. Every MobileNetV2 field has a default (applied by the stage,
 * not the schema, so a config that names a file can be told apart from one that sets MobileNetV2 fields), so
 * `model: {}` is MobileNetV2. The fields for a model the user brings are in stages/import/config.ts.
 */
import { configSection } from '../../pipeline/section.js';
import { BUILT_FIELDS, sourceProperties } from '../import/config.js';

export interface ModelConfig {
  arch: 'mobilenetv2';
  width_mult: number;
  input_size: number;
  num_classes: number;
  opset: number;
  seed: number;
  dynamic_batch: boolean;
  batch_size: number;
}

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    arch: { enum: ['mobilenetv2'], description: 'Network architecture (default mobilenetv2).' },
    width_mult: { type: 'number', exclusiveMinimum: 0, maximum: 4, description: 'Channel multiplier (default 1.0).' },
    input_size: {
      type: 'integer',
      minimum: 32,
      maximum: 1024,
      description: 'Input height and width in pixels (default 224).',
    },
    num_classes: { type: 'integer', minimum: 1, description: 'Default 1000.' },
    opset: {
      type: 'integer',
      minimum: 11,
      maximum: 17,
      description: 'Default-domain opset the built graph targets (default 17).',
    },
    seed: { type: 'integer', minimum: 0, description: 'Seed of the deterministic weights (default 0).' },
    dynamic_batch: { type: 'boolean', description: 'Symbolic batch dimension instead of batch_size (default false).' },
    batch_size: { type: 'integer', minimum: 1, description: 'The static batch dimension (default 1).' },
    ...sourceProperties,
  },
} as const;

export const defaults: ModelConfig = {
  arch: 'mobilenetv2',
  width_mult: 1.0,
  input_size: 224,
  num_classes: 1000,
  opset: 17,
  seed: 0,
  dynamic_batch: false,
  batch_size: 1,
};

/** The build stage's slice: the MobileNetV2 fields only, defaults filled in (the source fields never enter its key). */
export function modelConfig(root: Readonly<Record<string, unknown>>): ModelConfig {
  const all = configSection(root, 'model', defaults) as unknown as Record<string, unknown>;
  return Object.fromEntries(BUILT_FIELDS.map((f) => [f, all[f]])) as unknown as ModelConfig;
}
