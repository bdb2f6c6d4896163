/**
 * The `model` section: what the build stage makes. Every MobileNetV2 field has a default, filled in by the stage
 * and not by the run config's check, so that a config naming a file can be told apart from one that sets
 * MobileNetV2 fields; `model: {}` is MobileNetV2. The fields for a model the user brings are in
 * source/config.ts.
 */
import { Type, type Static, type TProperties, type TSchema } from '@sinclair/typebox';
import { configSection, Enum, Section, sectionDefaults } from '../../pipeline/config/section.js';
import { BUILT_FIELDS, sourceProperties } from '../../source/config.js';

const builtProperties = {
  arch: Enum(['mobilenetv2'], { default: 'mobilenetv2', description: 'Network architecture.' }),
  width_mult: Type.Number({ exclusiveMinimum: 0, maximum: 4, default: 1.0, description: 'Channel multiplier.' }),
  input_size: Type.Integer({
    minimum: 32,
    maximum: 1024,
    default: 224,
    description: 'Input height and width in pixels.',
  }),
  num_classes: Type.Integer({ minimum: 1, default: 1000, description: 'Classifier outputs.' }),
  opset: Type.Integer({
    minimum: 11,
    maximum: 17,
    default: 17,
    description: 'Default-domain opset the built graph targets.',
  }),
  seed: Type.Integer({ minimum: 0, default: 0, description: 'Seed of the deterministic weights.' }),
  dynamic_batch: Type.Boolean({ default: false, description: 'Symbolic batch dimension instead of batch_size.' }),
  batch_size: Type.Integer({ minimum: 1, default: 1, description: 'The static batch dimension.' }),
} satisfies Record<(typeof BUILT_FIELDS)[number], TSchema>;

/** MobileNetV2's fields, defaults filled in: what the build stage reads. */
const built = Section(builtProperties);

export type ModelConfig = Static<typeof built>;

export const defaults: ModelConfig = sectionDefaults(built);

/** The same fields as the run config is checked: optional, and without the defaults the check would fill in. */
function undefaulted(properties: TProperties): TProperties {
  return Object.fromEntries(
    Object.entries(properties).map(([name, { default: _, ...field }]) => [name, Type.Optional(field as TSchema)]),
  );
}

export const schema = Section({ ...undefaulted(builtProperties), ...sourceProperties });

/** The build stage's slice: the MobileNetV2 fields only, defaults filled in (the source fields never enter its key). */
export function modelConfig(root: Readonly<Record<string, unknown>>): ModelConfig {
  const all: Record<string, unknown> = configSection(root, 'model', built);
  return Object.fromEntries(BUILT_FIELDS.map((f) => [f, all[f]])) as ModelConfig;
}
