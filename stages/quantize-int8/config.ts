/**
 * The `quantize` section. The tolerance is a relative L2 of the outputs against the float32 model on the
 * check's inputs: int8 keeps 8 bits per value (a relative step of about 1/255 of each tensor's range), and over
 * a CNN of ~50 layers the logits move by 1e-2 to 3e-2 (MobileNetV2: 1.0e-2; published INT8 ImageNet results
 * lose about one top-1 point at that distance). 5e-2 passes a sound quantization and catches a layer that
 * breaks (a clipped range or a collapsed channel shows at 1e-1 and worse), where the fallback then keeps it
 * float.
 */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Enum, Section, sectionDefaults } from '../../pipeline/config/section.js';
import { checkSchema } from '../optimize/check-config.js';

export const schema = Section({
  calibration: Type.Optional(
    Type.String({
      minLength: 1,
      description:
        'A folder of ONNX test_data_set_N folders (input_0.pb, …), one calibration sample each; ' +
        'relative to the config file. Default: model.check_data.',
    }),
  ),
  method: Enum(['minmax', 'percentile'], { default: 'minmax' }),
  percentile: Type.Number({
    minimum: 90,
    maximum: 100,
    default: 99.999,
    description: 'percentile: each tensor keeps the values between the (100 − p)th and the p-th percentile.',
  }),
  samples: Type.Integer({
    minimum: 1,
    default: 32,
    description: 'The most calibration sets read (the first ones by name); the seeded inputs of the built-in model.',
  }),
  activations: Enum(['uint8', 'int8'], {
    default: 'uint8',
    description:
      "uint8: asymmetric, onnxruntime's fastest on x86; int8: symmetric (zero point 0), what TensorRT takes.",
  }),
  tolerance: Type.Number({ exclusiveMinimum: 0, default: 5e-2, description: 'Relative L2 against float32.' }),
  max_float_layers: Type.Integer({
    minimum: 0,
    default: 8,
    description: 'The most layers put back in float to meet the tolerance before the stage declines.',
  }),
  keep_float: Type.Array(Type.String({ minLength: 1 }), {
    uniqueItems: true,
    default: [],
    description: 'Nodes (by name) left in float from the start.',
  }),
  check: checkSchema,
});

export type QuantizeConfig = Static<typeof schema>;

export const defaults: QuantizeConfig = sectionDefaults(schema);

export const quantizeConfig = (root: Readonly<Record<string, unknown>>): QuantizeConfig =>
  configSection(root, 'quantize', schema);
