/**
 * How long one measurement (engine × precision × batch) runs: until `bench.runs` samples or
 * `bench.max_seconds` of wall time, whichever comes first, never fewer than MIN_SAMPLES (a percentile needs
 * samples above it: p90 needs 10). Warm-up likewise: `bench.warmup` runs or `bench.warmup_max_seconds`, at
 * least one. bench.json states per measurement the N taken and what stopped it.
 */
import type { BenchConfig } from './config.js';
import type { BenchRequest } from './kit.js';

export const MIN_SAMPLES = 10;

export interface Budget {
  runs: number;
  maxMs: number;
  /** Taken even past maxMs. */
  minSamples: number;
}

export type StoppedBy = 'runs' | 'max_seconds' | 'trtexec';

export interface Sampling {
  n: number;
  /** `runs`: all of bench.runs taken; `max_seconds`: the time limit came first; `trtexec`: its own rule. */
  stoppedBy: StoppedBy;
  seconds: number;
  warmup: number;
  warmupSeconds: number;
}

export const timedBudget = (c: Pick<BenchConfig, 'runs' | 'max_seconds'>): Budget => ({
  runs: c.runs,
  maxMs: c.max_seconds * 1000,
  minSamples: Math.min(MIN_SAMPLES, c.runs),
});

export const warmupBudget = (c: Pick<BenchConfig, 'warmup' | 'warmup_max_seconds'>): Budget => ({
  runs: c.warmup,
  maxMs: c.warmup_max_seconds * 1000,
  minSamples: Math.min(1, c.warmup),
});

/** The expected length of a budgeted loop after `n` samples in `elapsedMs`. */
export function estimateMs(b: Budget, n: number, elapsedMs: number): number {
  if (n === 0) return b.maxMs;
  const per = elapsedMs / n;
  return Math.min(per * b.runs, Math.max(b.maxMs, per * b.minSamples));
}

export type SampleProgress = (phase: 'warm-up' | 'timed', n: number, elapsedMs: number, b: Budget) => void;

/**
 * Calls `fn` within the budget; each sample is the wall clock around one awaited call. `between` is untimed work
 * (the calibration rounds) that runs after a sample once the samples since it last ran took at least as long as
 * it did: it never takes more than about half of a measurement's time. After every sample it took two thirds of a
 * fast engine's (a 15 ms round after each 6 ms sample: onnxruntime's threads still spin when the round starts),
 * and a measurement stopped by `runs` took three times as long. A stopped run (`signal`) throws before the next
 * call, so the measurement is abandoned within one call, not at its time box.
 */
export async function sample(
  fn: () => Promise<void>,
  b: Budget,
  phase: 'warm-up' | 'timed',
  progress?: SampleProgress,
  between?: () => Promise<void>,
  signal?: AbortSignal,
): Promise<{ samplesMs: number[]; stoppedBy: 'runs' | 'max_seconds'; seconds: number }> {
  const samplesMs: number[] = [];
  const started = performance.now();
  let reported = started;
  let sampledMs = 0;
  let betweenMs = 0;
  while (samplesMs.length < b.runs) {
    signal?.throwIfAborted();
    const t0 = performance.now();
    await fn();
    const t1 = performance.now();
    samplesMs.push(t1 - t0);
    sampledMs += t1 - t0;
    if (between && sampledMs >= betweenMs) {
      await between();
      betweenMs = performance.now() - t1;
      sampledMs = 0;
    }
    if (progress && t1 - reported >= 250) {
      progress(phase, samplesMs.length, t1 - started, b);
      reported = t1;
    }
    if (samplesMs.length < b.runs && t1 - started >= b.maxMs && samplesMs.length >= b.minSamples) {
      return { samplesMs, stoppedBy: 'max_seconds', seconds: (t1 - started) / 1000 };
    }
  }
  return { samplesMs, stoppedBy: 'runs', seconds: (performance.now() - started) / 1000 };
}

/** For the report and the log: `N=37, stopped by the 10 s limit`. */
export function describeSampling(s: Sampling, maxSeconds?: number): string {
  const why =
    s.stoppedBy === 'runs'
      ? 'all runs taken'
      : s.stoppedBy === 'trtexec'
        ? 'trtexec --iterations/--duration'
        : `time limit${maxSeconds !== undefined ? ` ${maxSeconds} s` : ''}`;
  return `${s.n} in ${s.seconds.toFixed(1)} s (${why})`;
}

/** Progress of one budgeted loop, as the stage's live line: `ort fp32 batch 8 timed · 45/100 · 3.2 s of ~7 s`. */
export const progressOf = (r: BenchRequest, label: string): SampleProgress | undefined => {
  const progress = r.log.progress;
  if (!progress) return undefined;
  return (phase, n, elapsedMs, b) =>
    progress(n, b.runs, `${label} ${phase}`, { elapsedMs, estimateMs: estimateMs(b, n, elapsedMs) });
};
