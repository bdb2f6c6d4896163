/**
 * The `model` section's fields for a model the user brings: where it is (`path`), and the values its inputs
 * need (`dims`, `batch_dim`, `inputs`, `check_data`). They sit beside the built-in MobileNetV2's fields in
 * the same section; a config names a file or describes MobileNetV2, never both.
 */
import { Type, type Static, type TObject } from '@sinclair/typebox';
import type { InputsConfig } from '../onnx/inputs/index.js';

/** The fields that describe the built-in MobileNetV2; with `path` set, a config may not give them. */
export const BUILT_FIELDS = [
  'arch',
  'width_mult',
  'input_size',
  'num_classes',
  'opset',
  'seed',
  'dynamic_batch',
  'batch_size',
] as const;

const dimValue = { type: 'integer', minimum: 1, maximum: 2 ** 31 - 1 } as const;
const text = (description: string) => Type.Optional(Type.String({ minLength: 1, description }));

/**
 * Merged into the `model` section's schema properties (stages/build/config.ts). `dims` and `inputs` are what
 * onnx/inputs reads, so that module's types are theirs.
 */
export const sourceProperties = {
  path: text('An ONNX file to compile instead of the built-in MobileNetV2; relative to the config file.'),
  dims: Type.Optional(
    Type.Unsafe<InputsConfig['dims']>({
      type: 'object',
      additionalProperties: dimValue,
      description: 'Values of named dimensions (--dim NAME=VALUE).',
    }),
  ),
  batch_dim: text('The named dimension batch sizes vary (default: the leading one all batched inputs share).'),
  inputs: Type.Optional(
    Type.Unsafe<InputsConfig['inputs']>({
      type: 'object',
      description: 'Per graph input: shape (every dimension), value (one value broadcast) or range [lo, hi].',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          shape: { type: 'array', items: dimValue },
          value: { type: 'number' },
          range: { type: 'array', items: { type: 'number' }, minItems: 2, maxItems: 2 },
        },
      },
    }),
  ),
  check_data: text("A folder laid out as ONNX's test_data_set_N (input_0.pb, …); relative to the config file."),
};

/** The source fields of the `model` section, as the runner hands them over (paths already absolute). */
export type SourceSection = Static<TObject<typeof sourceProperties>>;

export function sourceSection(root: Readonly<Record<string, unknown>>): SourceSection {
  const m = root['model'];
  return m !== null && typeof m === 'object' ? (m as SourceSection) : {};
}

/** What the inputs module reads; everything but the paths (which never enter a cache key). */
export function inputsConfig(root: Readonly<Record<string, unknown>>): InputsConfig {
  const { dims, batch_dim, inputs } = sourceSection(root);
  return {
    ...(dims ? { dims } : {}),
    ...(batch_dim !== undefined ? { batch_dim } : {}),
    ...(inputs ? { inputs } : {}),
  };
}
