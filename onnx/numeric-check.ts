/**
 * The proof that a rewrite kept the model's meaning: run the model before and after in onnxruntime-node
 * with its own optimizer disabled (so ORT does not fold anything itself and hide our mistake) on the same
 * inputs, and compare every output.
 *
 * Before anything is compared, the ORIGINAL model must run on the check's inputs and give finite outputs.
 * When it cannot, nothing can be proven and the stage declines, saying so: that is a fact about the check's
 * inputs, never a verdict on the rewritten model.
 */
import { agreement, describeOutput, notComparable, worstError, worstOutput, type Agreement } from './compare.js';
import { checkFeeds, type Feeds, type FeedSource } from './inputs/index.js';
import type { Model } from './ir.js';
import { nonFiniteSources } from './non-finite.js';
import { ortError, runTensorsOnce, type AnyTensor } from './ort.js';
import { err, ok, type Result } from '../pipeline/result.js';

export type { Feeds };
/** A run's outputs by graph output name, as onnxruntime returned them. */
export type Outputs = Record<string, AnyTensor>;

/**
 * The check's feeds: the check data where given, else seeded values (normals for float inputs) with every
 * dimension resolved by onnx/inputs; the batch dimension takes the check data's batch, else `batch`.
 */
export function seededFeeds(model: Model, seed: number, batch: number, source: FeedSource = {}): Result<Feeds, string> {
  const fed = checkFeeds(model, source.inputs ?? {}, {
    seed,
    batch,
    checkData: source.checkData,
  });
  return fed.ok ? ok(fed.value.feeds) : fed;
}

export async function runDisabled(bytes: Uint8Array, feeds: Feeds): Promise<Result<Outputs, string>> {
  try {
    const options = { graphOptimizationLevel: 'disabled', intraOpThreads: 1 } as const;
    return ok(await runTensorsOnce(bytes, feeds, options));
  } catch (e) {
    return err(ortError(e));
  }
}

/**
 * The original model's outputs on the check's inputs, or why the check cannot start: it has no inputs,
 * the original model does not run on them, or its outputs are not finite.
 */
export async function referenceRun(
  original: Uint8Array,
  feeds: Result<Feeds, string>,
  model?: Model,
): Promise<Result<{ feeds: Feeds; outputs: Outputs }, string>> {
  if (!feeds.ok) return err(`the check has no inputs for this model: ${feeds.error}`);
  const ref = await runDisabled(original, feeds.value);
  if (!ref.ok) {
    const why = `the check's own inputs could not run the ORIGINAL model in onnxruntime-node (${ref.error})`;
    return err(`${why}, so nothing was compared`);
  }
  for (const [name, t] of Object.entries(ref.value)) {
    const v = numbers(t);
    if (v && v.some((x) => !Number.isFinite(x))) {
      const why = `the ORIGINAL model's output '${name}' is not finite (NaN or ±Inf) on the check's inputs`;
      const sources = model ? nonFiniteSources(model, feeds.value) : [];
      const named = `${sources.slice(0, 3).join(', ')}${sources.length > 3 ? ` and ${sources.length - 3} more` : ''}`;
      const held = sources.length === 0 ? '' : `; the input already holds NaN or ±Inf in ${named}`;
      return err(`${why}${held}, so no comparison can prove anything`);
    }
  }
  return ok({ feeds: feeds.value, outputs: ref.value });
}

/** How a model's outputs agree with the reference's. */
export interface Comparison {
  /** Each output's agreement, by name. */
  outputs: Record<string, Agreement>;
  /** The largest relative L2 error over all outputs. */
  worstRelL2: number;
  /** The largest error by onnx/compare's rule (relative, or absolute below its floor): what tolerances bound. */
  worstError: number;
  /** Reference outputs that prove little (all zeros on these inputs: noise fed to a detector). */
  notes?: string[];
}

/** Numeric outputs as float32 (int64 as numbers, bool as 0/1); undefined for strings. */
function numbers(t: AnyTensor): Float32Array | undefined {
  const d = t.data;
  if (d instanceof Float32Array) return d;
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return Float32Array.from(d, Number);
  if (Array.isArray(d)) return undefined;
  return Float32Array.from(d as ArrayLike<number>, Number);
}

export function compareOutputs(actual: Outputs, reference: Outputs): Comparison {
  const outputs: Record<string, Agreement> = {};
  const notes: string[] = [];
  let worst = 0;
  for (const [name, ref] of Object.entries(reference)) {
    const got = actual[name];
    const r = numbers(ref);
    const g = got && numbers(got);
    const comparable = r && g && g.length === r.length && got?.dims.join() === ref.dims.join();
    const a = comparable ? agreement(g, r, ref.dims) : notComparable();
    if (r && r.length > 0 && r.every((x) => x === 0)) notes.push(`output '${name}' is all zeros on the check's inputs`);
    outputs[name] = a;
    worst = Number.isNaN(a.relL2) || Number.isNaN(worst) ? Number.NaN : Math.max(worst, a.relL2);
  }
  return { outputs, worstRelL2: worst, worstError: worstError(outputs), notes: notes.length > 0 ? notes : undefined };
}

export const withinTolerance = (c: Comparison, tolerance: number): boolean =>
  !Number.isNaN(c.worstError) && c.worstError <= tolerance;

/** The output that fails the tolerance worst, named, with the measure that judged it. */
export function failingOutput(c: Comparison, tolerance: number): string {
  const worst = worstOutput(c.outputs, tolerance);
  return worst ? describeOutput(worst.name, worst.agreement, tolerance) : 'every output is within the tolerance';
}

/**
 * The first of `count` steps after which the check fails, given that it passes after none and fails after
 * all: binary search over step prefixes, log2(count) model runs.
 */
export async function firstFailingStep(
  count: number,
  failsAfter: (steps: number) => Promise<boolean>,
): Promise<number> {
  let good = 0;
  let bad = count;
  while (bad - good > 1) {
    const mid = (good + bad) >> 1;
    if (await failsAfter(mid)) bad = mid;
    else good = mid;
  }
  return bad - 1;
}
