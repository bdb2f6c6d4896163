/**
 * A confidence interval of a median by the percentile bootstrap: resample the samples with replacement, take
 * each resample's median, and read the interval's bounds off their sorted list. Seeded (mulberry32), so the
 * same bench.json always gives the same interval and the same verdict.
 */
import { median } from './noise.js';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** [low, high] of the median at `confidence` (e.g. 0.95) from `resamples` resamples. */
export function medianCI(
  samples: readonly number[],
  confidence: number,
  resamples: number,
  seed = 1,
): [number, number] {
  const n = samples.length;
  if (n === 0) return [Number.NaN, Number.NaN];
  if (n === 1) return [samples[0]!, samples[0]!];
  const random = mulberry32(seed);
  const medians = new Float64Array(resamples);
  const pick = new Array<number>(n);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) pick[i] = samples[Math.floor(random() * n)]!;
    medians[r] = median(pick);
  }
  medians.sort();
  const tail = (1 - confidence) / 2;
  const at = (q: number) => medians[Math.min(resamples - 1, Math.max(0, Math.floor(q * resamples)))]!;
  return [at(tail), at(1 - tail)];
}
