/**
 * Every engine's outputs against the correctness reference (reference.ts: the unoptimized model on onnxruntime,
 * level `disabled`, one thread) on the same inputs. An engine outside its precision's tolerance (bench.tolerance;
 * config.ts says why the numbers) is flagged, and the report does not rank it however fast it is.
 */
import { agreement } from '../../onnx/compare.js';
import type { BenchConfig } from '../../measure/config.js';
import type { Correctness } from '../../measure/result.js';
import type { Precision } from '../../onnx/precision.js';

/**
 * Below this largest magnitude a reference output is all zero for the check's purpose (a text detector's map
 * on noise holds values of 1e-8 to 1e-7): relative L2 then divides rounding noise by rounding noise.
 */
export const ZERO_REFERENCE = 1e-4;

export function judge(
  actual: Float32Array,
  reference: Float32Array,
  dims: readonly number[],
  precision: Precision,
  tolerances: BenchConfig['tolerance'],
): Correctness {
  const t = tolerances[precision];
  if (actual.length !== reference.length) {
    return { maxAbs: Number.NaN, relL2: Number.NaN, ok: false, tolerance: { relL2: t.rel_l2, top1: t.top1 } };
  }
  // Top-1 only where the output is a class-score vector: [batch, classes] with more than one class. A
  // detector's map or a VAD's probability has no class to disagree on; relative L2 and max abs judge it.
  const scores = dims.length === 2 && (dims[1] ?? 0) > 1;
  const a = agreement(actual, reference, scores ? dims : undefined);
  // An all-zero reference has no scale for a relative error: the absolute error is held to the same
  // tolerance, as if the output's scale were 1 (probabilities and maps are).
  const zero = reference.every((v) => Math.abs(v) < ZERO_REFERENCE);
  const close = zero ? a.maxAbs <= t.rel_l2 : a.relL2 <= t.rel_l2;
  const ok = !Number.isNaN(a.relL2) && close && (a.top1 === undefined || a.top1 >= t.top1);
  return {
    maxAbs: a.maxAbs,
    relL2: a.relL2,
    ...(a.top1 !== undefined ? { top1: a.top1 } : {}),
    ...(zero ? { zeroReference: true } : {}),
    ok,
    tolerance: { relL2: t.rel_l2, top1: t.top1 },
  };
}
