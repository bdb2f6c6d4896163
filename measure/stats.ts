/**
 * One statistics method for every engine: trtexec's (measure/trtexec-stats.ts), so onnxruntime, PyTorch
 * and TensorRT figures in one bench.json are computed alike. Percentile p is the sorted sample at index
 * max(n − 1 − trunc((1 − p/100)·n), 0); it is stated only when at least one sample lies above it, i.e.
 * n ≥ 100/(100 − p): p90 needs 10 samples, p95 20, p99 100; below that it is null. p50 is the median,
 * stddev the sample standard deviation (n − 1).
 */
import { latencyStats } from './trtexec-stats.js';
import type { LatencyStats } from './result.js';

export { latencyStats };

/** Images per second at the mean latency. */
export const throughput = (batch: number, stats: LatencyStats): number => (batch * 1000) / stats.mean;
