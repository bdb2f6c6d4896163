/**
 * Latency statistics computed the way trtexec computes its summary (samples/common/sampleReporting.cpp),
 * so that stats over `--exportTimes` samples match the summary trtexec printed for the same run.
 */

/** Latency statistics in milliseconds. A percentile is null when there were too few samples to state it. */
export interface LatencyStats {
  n: number;
  min: number;
  p50: number;
  p90: number | null;
  p95: number | null;
  p99: number | null;
  max: number;
  mean: number;
  stddev: number;
}

/**
 * trtexec's percentile: the sorted value at index max(n - 1 - trunc((1 - p/100)·n), 0), computed in float32
 * as `findPercentile` does; in float64 (1 - 0.9)·10 is 0.99999… and would pick the wrong sample.
 */
export function trtPercentile(sorted: readonly number[], p: number): number {
  const f = Math.fround;
  const exclude = Math.trunc(f(f(1 - f(f(p) / 100)) * f(sorted.length)));
  return sorted[Math.max(sorted.length - 1 - exclude, 0)]!;
}

/** A percentile is stated only when at least one sample lies above it (p99 needs 100 samples). */
const stated = (sorted: readonly number[], p: number): number | null =>
  sorted.length >= Math.round(100 / (100 - p)) ? trtPercentile(sorted, p) : null;

export function latencyStats(samples: readonly number[]): LatencyStats {
  if (samples.length === 0) throw new Error('Internal error: latencyStats of no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((s, v) => s + v, 0) / n;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  const variance = n > 1 ? sorted.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1) : 0;
  return {
    n,
    min: sorted[0]!,
    p50: median,
    p90: stated(sorted, 90),
    p95: stated(sorted, 95),
    p99: stated(sorted, 99),
    max: sorted[n - 1]!,
    mean,
    stddev: Math.sqrt(variance),
  };
}
