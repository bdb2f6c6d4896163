/**
 * The accuracy check of a quantized model: it runs as it will ship, through onnxruntime's full optimizer (the
 * integer kernels QLinearConv, QLinearMatMul …, whose rounding is what a user gets), one thread, on every check
 * input; the error is the worst relative L2 of any output on any input against the float32 reference.
 */
import type { Sample } from '../../onnx/quantize/index.js';
import { ortError, runTensorsOnce } from '../../onnx/ort.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { compareOutputs, type Comparison, type Outputs } from '../../onnx/numeric-check.js';

export interface Checked {
  worstRelL2: number;
  /** The comparison on the first check input (per output: relative L2, max abs, top-1 where it applies). */
  first: Comparison;
}

export async function checkAgainst(
  bytes: Uint8Array,
  feeds: readonly Sample[],
  reference: readonly Outputs[],
  level: 'all' | 'disabled' = 'all',
): Promise<Result<Checked, string>> {
  let worst = 0;
  let first: Comparison | undefined;
  for (const [k, f] of feeds.entries()) {
    let got: Outputs;
    try {
      got = await runTensorsOnce(bytes, f, { graphOptimizationLevel: level, intraOpThreads: 1 });
    } catch (e) {
      return err(`onnxruntime-node cannot run it (${ortError(e)})`);
    }
    const c = compareOutputs(got, reference[k] as Outputs);
    first ??= c;
    worst = Number.isNaN(c.worstRelL2) || Number.isNaN(worst) ? Number.NaN : Math.max(worst, c.worstRelL2);
  }
  return first ? ok({ worstRelL2: worst, first }) : err('no check inputs');
}
