/**
 * The `decide` section: the accuracy budget the verdict (verdict.ts) holds every engine to, and how sure it
 * must be that the fastest is faster.
 *
 * - `rel_l2`: a relative-L2 ceiling per precision name (`fp32`, `fp16`, `int8`, any precision the benchmark
 *   measures). A precision not listed is held to its benchmark tolerance (bench.tolerance), the error the
 *   benchmark itself accepts for it. An output whose reference is all zero is judged by its absolute error.
 * - `max_task_drop`: where the benchmark reports a task metric (correctness.task: top-1 against labels or
 *   agreement with the reference, higher is better), the most it may fall below the best FP32 figure of the
 *   same batch, in absolute units (0.01: one point of accuracy).
 * - `confidence` and `resamples`: the bootstrap confidence interval of each median (bootstrap.ts).
 */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Section } from '../pipeline/config/section.js';
import { PRECISIONS } from '../onnx/precision.js';

export const schema = Section({
  // One optional ceiling per name of PRECISIONS: a misspelt precision is an error, not a ceiling never read.
  rel_l2: Type.Partial(
    Type.Object(Object.fromEntries(PRECISIONS.map((p) => [p, Type.Number({ exclusiveMinimum: 0 })])), {
      additionalProperties: false,
    }),
    {
      default: {},
      description: 'Relative-L2 ceiling per precision; a precision not listed is held to bench.tolerance.',
    },
  ),
  max_task_drop: Type.Number({
    minimum: 0,
    maximum: 1,
    default: 0.01,
    description: 'Most a task metric (accuracy, 0–1) may fall below the best FP32 figure of the same batch.',
  }),
  confidence: Type.Number({ exclusiveMinimum: 0.5, exclusiveMaximum: 1, default: 0.95 }),
  resamples: Type.Integer({ minimum: 100, maximum: 100000, default: 2000 }),
});

export type DecideConfig = Static<typeof schema>;

export const decideConfig = (root: Readonly<Record<string, unknown>>): DecideConfig =>
  configSection(root, 'decide', schema);
