/**
 * Every engine's outputs against the FP32 onnxruntime reference on the same seeded inputs. An engine
 * outside its precision's tolerance (bench.tolerance; config.ts says why the numbers) is flagged, and the
 * report does not rank it however fast it is.
 */
import { agreement } from '../../onnx/compare.js';
import type { BenchConfig } from './config.js';
import type { Correctness } from './result.js';

export function judge(actual: Float32Array, reference: Float32Array, dims: readonly number[], precision: 'fp32' | 'fp16', tolerances: BenchConfig['tolerance']): Correctness {
  const t = tolerances[precision];
  if (actual.length !== reference.length) {
    return { maxAbs: Number.NaN, relL2: Number.NaN, top1: 0, ok: false, tolerance: { relL2: t.rel_l2, top1: t.top1 } };
  }
  const a = agreement(actual, reference, dims);
  // An output that is not [batch, classes] has no top-1 to disagree on.
  const top1 = a.top1 ?? 1;
  const ok = !Number.isNaN(a.relL2) && a.relL2 <= t.rel_l2 && top1 >= t.top1;
  return { maxAbs: a.maxAbs, relL2: a.relL2, top1, ok, tolerance: { relL2: t.rel_l2, top1: t.top1 } };
}
