/**
 * The proof that a rewrite kept the model's meaning: run the model before and after in onnxruntime-node
 * with its own optimizer disabled (so ORT does not fold anything itself and hide our mistake) on the same
 * seeded inputs, and compare every output.
 */
import { agreement, type Agreement } from '../../onnx/compare.js';
import { DType, type Model } from '../../onnx/ir.js';
import { runModelOnce, type FloatTensor } from '../../onnx/ort.js';
import { normalFloats } from '../../onnx/random.js';
import { describeNonFinite, nonFiniteOutput, nonFiniteWeights } from '../../onnx/non-finite.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { StageFailure } from '../../pipeline/stage.js';

export type Feeds = Record<string, FloatTensor>;

/** Seeded standard-normal feeds for every float32 graph input; a symbolic dim takes `batch`. */
export function seededFeeds(model: Model, seed: number, batch: number): Result<Feeds, string> {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const feeds: Feeds = {};
  let k = 0;
  for (const input of model.graph.inputs) {
    if (inits.has(input.name)) continue;
    const t = input.type;
    if (!t || t.dtype !== DType.FLOAT || !t.shape) return err(`graph input '${input.name}' is not a float32 tensor of known rank`);
    const dims = t.shape.map((d) => (typeof d === 'number' ? d : batch));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[input.name] = { dims, data: normalFloats(n, seed + 1000 * k++) };
  }
  return ok(feeds);
}

export async function runDisabled(bytes: Uint8Array, feeds: Feeds): Promise<Result<Record<string, FloatTensor>, string>> {
  try {
    // Errors only: onnxruntime's warnings (one per suspicious node) would reach the terminal raw; what it
    // cannot run arrives as the exception, summarised below to its first line.
    return ok(await runModelOnce(bytes, feeds, { graphOptimizationLevel: 'disabled', intraOpThreads: 1, logSeverityLevel: 3 }));
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

/**
 * When a check failed: is the input model itself non-finite (NaN/Inf weights, or NaN outputs on the check's
 * inputs)? Then the input is to blame, not the transformation being checked.
 */
export function inputAtFault(model: Model, reference: Record<string, FloatTensor>, seed: number): StageFailure | undefined {
  const weights = nonFiniteWeights(model);
  if (weights) return { input: true, message: `the input model's ${describeNonFinite(weights)}; fix the model (or its exporter): no check can pass on it` };
  const out = nonFiniteOutput(reference);
  if (out) {
    return { input: true, message: `the input model's ${describeNonFinite(out)} on seeded standard-normal inputs (seed ${seed}) before any change; fix the model` };
  }
  return undefined;
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
