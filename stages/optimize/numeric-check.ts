/**
 * The proof that a rewrite kept the model's meaning: run the model before and after in onnxruntime-node
 * with its own optimizer disabled (so ORT does not fold anything itself and hide our mistake) on the same
 * seeded inputs, and compare every output.
 */
import { agreement, type Agreement } from '../../onnx/compare.js';
import { checkFeeds, type CheckData, type Feeds, type InputsConfig } from '../../onnx/inputs/index.js';
import type { Model } from '../../onnx/ir.js';
import { runTensorsOnce, type AnyTensor, type FloatTensor } from '../../onnx/ort.js';
import { err, ok, type Result } from '../../pipeline/result.js';

export type { Feeds };

/** What a check's inputs are made from: the config's input fields and the user's check data (onnx/inputs). */
export interface FeedSource {
  inputs?: InputsConfig;
  checkData?: CheckData;
}

/**
 * The check's feeds: the check data where given, else seeded values (normals for float inputs) with every
 * dimension resolved by onnx/inputs; the batch dimension takes the check data's batch, else `batch`.
 */
export function seededFeeds(model: Model, seed: number, batch: number, source: FeedSource = {}): Result<Feeds, string> {
  const fed = checkFeeds(model, source.inputs ?? {}, { seed, batch, ...(source.checkData ? { checkData: source.checkData } : {}) });
  return fed.ok ? ok(fed.value.feeds) : fed;
}

/** Numeric outputs as float32 for comparison (integer and bool outputs compare by value). */
function asFloat(t: AnyTensor): FloatTensor {
  const data = t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number | bigint>, Number);
  return { dims: t.dims, data };
}

export async function runDisabled(bytes: Uint8Array, feeds: Feeds): Promise<Result<Record<string, FloatTensor>, string>> {
  try {
    const out = await runTensorsOnce(bytes, feeds, { graphOptimizationLevel: 'disabled', intraOpThreads: 1, logSeverityLevel: 3 });
    return ok(Object.fromEntries(Object.entries(out).filter(([, t]) => t.type !== 'string').map(([name, t]) => [name, asFloat(t)])));
  } catch (e) {
    return err(e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e));
  }
}

export interface Comparison {
  outputs: Record<string, Agreement>;
  /** The largest relative L2 error over all outputs. */
  worstRelL2: number;
}

export function compareOutputs(actual: Record<string, FloatTensor>, reference: Record<string, FloatTensor>): Comparison {
  const outputs: Record<string, Agreement> = {};
  let worst = 0;
  for (const [name, ref] of Object.entries(reference)) {
    const got = actual[name];
    const a = got && got.data.length === ref.data.length ? agreement(got.data, ref.data, ref.dims) : { maxAbs: Number.NaN, relL2: Number.NaN };
    outputs[name] = a;
    worst = Number.isNaN(a.relL2) || Number.isNaN(worst) ? Number.NaN : Math.max(worst, a.relL2);
  }
  return { outputs, worstRelL2: worst };
}

export const withinTolerance = (c: Comparison, tolerance: number): boolean => !Number.isNaN(c.worstRelL2) && c.worstRelL2 <= tolerance;

/**
 * The first of `count` steps after which the check fails, given that it passes after none and fails after
 * all: binary search over step prefixes, log2(count) model runs.
 */
export async function firstFailingStep(count: number, failsAfter: (steps: number) => Promise<boolean>): Promise<number> {
  let good = 0, bad = count;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (await failsAfter(mid)) bad = mid;
    else good = mid;
  }
  return bad - 1;
}
