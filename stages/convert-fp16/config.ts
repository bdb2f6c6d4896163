/**
 * The `fp16` section. The tolerance: float16 keeps 11 significant bits (relative step 2^-11 ≈ 4.9e-4 per
 * rounding); over ~50 layers of accumulated rounding the logits of a CNN move by about 1e-3 to 5e-3
 * relative L2, so 1e-2 passes a sound conversion and catches a broken one (a wrong cast or a clamped
 * weight shows up at 1e-1 or worse). Top-1 agreement is reported beside it.
 */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Section, sectionDefaults } from '../../pipeline/config/section.js';
import { checkSchema } from '../optimize/check-config.js';

/**
 * BatchNormalization among them: its variances and epsilon (1e-5) sit near or below float16's smallest normal
 * (6.1e-5); ppocr_v4_det's unfolded BatchNormalization in float16 moves its output by 0.63 relative L2 (1.9e-3
 * kept float32). The optimize stage folds it away; this covers a model that reaches FP16 unoptimized.
 */
export const DELICATE_OPS = [
  'Exp',
  'Log',
  'Pow',
  'Softmax',
  'LogSoftmax',
  'ReduceSum',
  'ReduceSumSquare',
  'ReduceL2',
  'ReduceLogSumExp',
  'ReduceProd',
  'CumSum',
  'BatchNormalization',
];

export const schema = Section({
  keep_fp32: Type.Array(Type.String({ minLength: 1 }), {
    uniqueItems: true,
    default: DELICATE_OPS,
    description: 'Operator types left in float32: numerically delicate ones (exponentials, long reductions).',
  }),
  keep_io_fp32: Type.Boolean({
    default: true,
    description: 'Graph inputs and outputs stay float32, with Casts at the boundary only.',
  }),
  tolerance_rel_l2: Type.Number({ exclusiveMinimum: 0, default: 1e-2 }),
  check: checkSchema,
});

export type Fp16Config = Static<typeof schema>;

export const defaults: Fp16Config = sectionDefaults(schema);

export const fp16Config = (root: Readonly<Record<string, unknown>>): Fp16Config => configSection(root, 'fp16', schema);
