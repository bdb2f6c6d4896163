/**
 * Activation ranges from real inputs: the float model runs in onnxruntime-node (its optimizer off, so every
 * tensor keeps its name) with every float tensor of the main graph exposed as an output. `minmax` takes the
 * extremes over all samples; `percentile` drops the outermost (100 − p) % of values on each side, from a
 * histogram of each tensor over its min-max range filled in a second pass.
 */
import { DType, type Model } from '../ir.js';
import { cloneModel } from '../rewrite/clone.js';
import { encodeModel } from '../serde.js';
import { openSession, ortError, ortFeeds, type AnyTensor } from '../ort.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { Range } from './params.js';

/** How a tensor's range is taken from what calibration saw. */
export type Method =
  | { kind: 'minmax' }
  | {
      kind: 'percentile';
      /** p: the range runs from the (100 − p)th to the p-th percentile (99.99 drops 0.01 % on each side). */
      percentile: number;
    };

/** One calibration input: a tensor per graph input, by name. */
export type Sample = Record<string, AnyTensor>;

const BINS = 2048;

/** The model with `tensors` added to its outputs, typed float32 (onnxruntime needs the type of an output). */
function exposing(model: Model, tensors: readonly string[]): Model {
  const m = cloneModel(model);
  const have = new Set(m.graph.outputs.map((o) => o.name));
  for (const name of tensors) if (!have.has(name)) m.graph.outputs.push({ name, type: { dtype: DType.FLOAT } });
  return m;
}

type Visit = (name: string, data: Float32Array) => void;

/** Runs `samples` through `model` with `tensors` exposed, handing each float32 tensor of each run to `visit`. */
export async function runAll(
  model: Model,
  tensors: readonly string[],
  samples: readonly Sample[],
  visit: Visit,
  signal?: AbortSignal,
): Promise<Result<void, string>> {
  let session;
  try {
    session = await openSession(encodeModel(exposing(model, tensors)), { graphOptimizationLevel: 'disabled' });
  } catch (e) {
    return err(`onnxruntime-node cannot load the model for calibration: ${ortError(e)}`);
  }
  try {
    for (const [k, sample] of samples.entries()) {
      signal?.throwIfAborted();
      let out;
      try {
        out = await session.run(ortFeeds(sample), tensors as string[]);
      } catch (e) {
        return err(`calibration sample ${k} does not run: ${ortError(e)}`);
      }
      for (const name of tensors) {
        const t = out[name];
        if (t?.type === 'float32') visit(name, t.data as Float32Array);
      }
    }
    return ok(undefined);
  } finally {
    await session.release();
  }
}

/** Ranges of `tensors` over `samples`, by `method`. */
export async function calibrate(
  model: Model,
  tensors: readonly string[],
  samples: readonly Sample[],
  method: Method,
  signal?: AbortSignal,
): Promise<Result<Map<string, Range>, string>> {
  const ranges = await minMax(model, tensors, samples, signal);
  if (!ranges.ok || method.kind === 'minmax') return ranges;
  const hist = await histograms(model, ranges.value, samples, signal);
  if (!hist.ok) return hist;
  const clip = ([n, r]: [string, Range]): [string, Range] => [n, clipped(r, hist.value.get(n)!, method.percentile)];
  return ok(new Map([...ranges.value].map(clip)));
}

/** The extremes of each tensor over all samples; a tensor that is ever NaN or infinite has no range. */
async function minMax(
  model: Model,
  tensors: readonly string[],
  samples: readonly Sample[],
  signal?: AbortSignal,
): Promise<Result<Map<string, Range>, string>> {
  const ranges = new Map<string, Range>();
  const widen: Visit = (name, data) => {
    const r = ranges.get(name) ?? { lo: Infinity, hi: -Infinity };
    for (let i = 0; i < data.length; i++) {
      const x = data[i] as number;
      if (Number.isNaN(x)) r.lo = Number.NaN;
      if (x < r.lo) r.lo = x;
      if (x > r.hi) r.hi = x;
    }
    ranges.set(name, r);
  };
  const ran = await runAll(model, tensors, samples, widen, signal);
  if (!ran.ok) return ran;
  for (const [name, r] of ranges)
    if (!Number.isFinite(r.lo) || !Number.isFinite(r.hi))
      return err(`tensor '${name}' is not finite (NaN or ±Inf) on the calibration inputs`);
  return ok(ranges);
}

/** Each tensor's values over all samples, counted in BINS bins spanning its range. */
async function histograms(
  model: Model,
  ranges: ReadonlyMap<string, Range>,
  samples: readonly Sample[],
  signal?: AbortSignal,
): Promise<Result<Map<string, Float64Array>, string>> {
  const hist = new Map([...ranges.keys()].map((n) => [n, new Float64Array(BINS)]));
  const count: Visit = (name, data) => {
    const r = ranges.get(name) as Range;
    const h = hist.get(name) as Float64Array;
    const width = (r.hi - r.lo) / BINS || 1;
    for (let i = 0; i < data.length; i++) h[Math.min(BINS - 1, Math.floor(((data[i] as number) - r.lo) / width))]! += 1;
  };
  const ran = await runAll(model, [...ranges.keys()], samples, count, signal);
  return ran.ok ? ok(hist) : ran;
}

/** The range between the (100 − p)th and the p-th percentile, read from the histogram's bin edges. */
export function clipped(r: Range, h: Float64Array, percentile: number): Range {
  const total = h.reduce((a, b) => a + b, 0);
  const tail = (total * (100 - percentile)) / 100;
  const width = (r.hi - r.lo) / h.length;
  let below = 0;
  let lo = 0;
  while (lo < h.length - 1 && below + (h[lo] as number) <= tail) below += h[lo++] as number;
  let above = 0;
  let hi = h.length - 1;
  while (hi > lo && above + (h[hi] as number) <= tail) above += h[hi--] as number;
  return { lo: r.lo + lo * width, hi: r.lo + (hi + 1) * width };
}
