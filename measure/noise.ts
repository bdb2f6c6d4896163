/**
 * Whether a measurement is steady enough to rank. A measurement is *noisy* when any of these holds:
 *
 * - tail: p90 > 1.5 × p50 (below 10 samples, where p90 is not stated: max > 2 × p50). A tenth of the samples
 *   half as slow again as the median is preemption or contention, not the engine. (The limits are a judgement,
 *   not fitted to a quiet machine, which this project's development machine never was: at a load average of
 *   12–21 its 120 bench-gate measurements had p90/p50 1.08–12.7, median 2.55, and 113 were noisy.)
 * - spread: the median absolute deviation > 10 % of p50. The typical sample strays from the median by more
 *   than the differences a ranking is asked to tell apart.
 * - drift: the median of the last third of the samples differs from the first third's by more than 25 %
 *   (either way; 6 samples or more). The machine's speed changed while measuring: a job started or ended
 *   beside it, or the clock or the caches were still settling.
 *
 * The standard deviation is recorded but not judged: one preempted sample of 50 makes it exceed the mean
 * while the median stays right. A noisy measurement stays in bench.json and the report, marked; it is never
 * the basis of a speed-up claim or a recommendation.
 */
import type { LatencyStats } from './result.js';

export const TAIL_LIMIT = 1.5;
/** Applied to max / p50 when p90 is not stated (fewer than 10 samples). */
export const MAX_LIMIT = 2;
export const MAD_LIMIT = 0.1;
export const DRIFT_LIMIT = 1.25;
const DRIFT_MIN_SAMPLES = 6;

export interface Noise {
  /** p90 / p50, or null below 10 samples. */
  p90OverP50: number | null;
  /** The median absolute deviation from the median, over p50. */
  madOverP50: number;
  /** Standard deviation over mean, recorded only (see above). */
  sdOverMean: number;
  /** Median of the last third over the first third's (1 below 6 samples). */
  drift: number;
  noisy: boolean;
  /** Each rule the measurement broke, in words with its figure. */
  why: string[];
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};

/** The sorted sample at index ⌊q·(n − 1)⌋: a sample that was measured, never an interpolation. */
export const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(q * (s.length - 1))] ?? Number.NaN;
};

export const mad = (xs: readonly number[]): number => {
  const m = median(xs);
  return median(xs.map((x) => Math.abs(x - m)));
};

/** Level change across the run: the last third's median over the first third's. */
export function drift(samples: readonly number[]): number {
  if (samples.length < DRIFT_MIN_SAMPLES) return 1;
  const third = Math.floor(samples.length / 3);
  return median(samples.slice(-third)) / median(samples.slice(0, third));
}

export function noiseOf(samples: readonly number[], stats: LatencyStats): Noise {
  const p50 = stats.p50;
  const p90OverP50 = stats.p90 === null ? null : stats.p90 / p50;
  const madOverP50 = mad(samples) / p50;
  const d = drift(samples);
  const why: string[] = [];
  const x = (v: number) => `${v.toFixed(2)}×`;
  if (p90OverP50 !== null && p90OverP50 > TAIL_LIMIT) why.push(`p90 is ${x(p90OverP50)} p50 (limit ${TAIL_LIMIT}×)`);
  if (p90OverP50 === null && stats.max / p50 > MAX_LIMIT)
    why.push(`max is ${x(stats.max / p50)} p50 (limit ${MAX_LIMIT}× below 10 samples)`);
  if (madOverP50 > MAD_LIMIT)
    why.push(`median deviation ${(100 * madOverP50).toFixed(0)} % of p50 (limit ${100 * MAD_LIMIT} %)`);
  if (d > DRIFT_LIMIT || d < 1 / DRIFT_LIMIT)
    why.push(`the last third's median is ${x(d)} the first third's (limit ${DRIFT_LIMIT}× either way)`);
  return {
    p90OverP50,
    madOverP50,
    sdOverMean: stats.mean > 0 ? stats.stddev / stats.mean : 0,
    drift: d,
    noisy: why.length > 0,
    why,
  };
}
