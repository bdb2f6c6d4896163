/**
 * What the report ranks and plots, derived from bench.json: one series per engine × precision × batch, with
 * the engines that are fast but wrong kept apart so they are flagged rather than ranked.
 */
import type { BenchFile, Measurement } from '../../measure/result.js';

export const seriesName = (m: Measurement): string => `${m.engine} ${m.precision}`;

/** The machine in one phrase: CPU model and cores, and the GPU when there is one. */
export const machine = (bench: BenchFile): string => {
  const e = bench.environment;
  return `${e.cpu.model} (${e.cpu.cores} cores)${e.gpu ? `, ${e.gpu.name}` : ''}`;
};

/** Correct measurements first by batch, then fastest p50 first; flagged ones are not in this list. */
export function ranked(bench: BenchFile): Measurement[] {
  return bench.measurements
    .filter((m) => m.correctness?.ok !== false)
    .sort((a, b) => a.batch - b.batch || a.stats.p50 - b.stats.p50);
}

export const flagged = (bench: BenchFile): Measurement[] =>
  bench.measurements.filter((m) => m.correctness?.ok === false);

/** PyTorch eager in FP32 at the same batch and device is the baseline of every speed-up. */
export function speedups(bench: BenchFile): { series: string; batch: number; speedup: number }[] {
  const out: { series: string; batch: number; speedup: number }[] = [];
  for (const m of ranked(bench)) {
    const base = bench.measurements.find(
      (b) => b.engine === 'torch-eager' && b.precision === 'fp32' && b.batch === m.batch && b.device === m.device,
    );
    if (base)
      out.push({ series: `${seriesName(m)} (${m.device})`, batch: m.batch, speedup: base.stats.p50 / m.stats.p50 });
  }
  return out;
}

/** A percentile the run had too few samples for is shown as such, never as a number. */
export const ms = (v: number | null, n: number): string =>
  v === null ? `n/a (n=${n})` : v < 1 ? v.toFixed(3) : v.toFixed(2);
