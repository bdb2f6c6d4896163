/**
 * The regression gate: the current bench.json against an earlier one. Measurements are matched by engine,
 * precision, batch, artifact and settings. The spread of a measurement is max(p90 − p50, p50 − min) (the
 * max stands in for p90 below 10 samples): how far a typical sample strays from the median. A slowdown is a
 * regression when the p50 grew by more than the allowance, which comes from the BASELINE alone:
 *
 *   allowed = 2 × the baseline's spread, clamped to between 5 % and 100 % of the baseline's p50
 *
 * The current run's spread never widens it: a slow run on a loaded machine is a noisy one too, and it must
 * not excuse itself. Why these numbers:
 * - 2 × the spread: the H100 repeats (docs/benchmarks/h100, the same 16 measurements on two later machine
 *   starts): apart from the one real change (torch.compile batch 1, +65 %), every slowdown stayed within 1.9 ×
 *   the baseline's spread, or within 0.2 % of its p50 where that spread is razor-thin.
 * - at least 5 % of the p50: a CUDA-graph replay or a batch of 256 has a spread of 0.01–0.04 ms, yet two
 *   machine starts move its p50 by 0.1–0.7 %; the floor covers that drift, which a thin spread cannot see.
 * - at most 100 % of the p50: the spread measures the tail, and on a loaded machine the tail is wide (on the
 *   shared 2-core development machine at a load of 4–6, single-threaded onnxruntime runs had p90 ≥ 2 × p50 in
 *   14–66 % of runs, samples preempted), so 2 × the spread alone would excuse a 3× slowdown. A median that
 *   doubles is not tail noise: at least half the samples took twice as long. So a p50 more than twice the
 *   baseline's is always a regression, and a planted 3× slowdown is always caught.
 * An engine that was right and now fails its correctness check is a regression too.
 */
import { readFile, stat } from 'node:fs/promises';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { BenchFile, LatencyStats, Measurement } from '../../measure/result.js';

export interface Comparison {
  key: string;
  baselineP50: number;
  currentP50: number;
  /** current / baseline p50. */
  ratio: number;
  /** The baseline's within-run spread. */
  spreadMs: number;
  /** spreadFactor × spreadMs, clamped to [minRelative, MAX_RELATIVE] × baseline p50. */
  allowedMs: number;
  regression: boolean;
  reason?: string;
}

export interface GateResult {
  ok: boolean;
  compared: Comparison[];
  regressions: Comparison[];
  /** In the baseline but not measured now (a skipped engine): listed, not failed. */
  missing: string[];
}

export const spreadMs = (s: LatencyStats): number => Math.max((s.p90 ?? s.max) - s.p50, s.p50 - s.min);

/** Figures some engines report beside their settings; they vary run to run and must not split a match. */
const MEASURED_SETTINGS = new Set([
  'gpuComputeMeanMs',
  'compileMs',
  'cacheLoadMs',
  'compileCache',
  'coldCompileMs',
  'aotiLoadMs',
]);

export function measurementKey(m: Measurement): string {
  const settings = Object.keys(m.settings)
    .filter((k) => !MEASURED_SETTINGS.has(k))
    .sort()
    .map((k) => `${k}=${String(m.settings[k])}`)
    .join(',');
  return `${m.engine} ${m.precision} b${m.batch} ${m.artifact} [${settings}]`;
}

/** How many baseline spreads a p50 may grow by, and the floor and ceiling as shares of its p50 (see above). */
export const SPREAD_FACTOR = 2;
export const MIN_RELATIVE = 0.05;
export const MAX_RELATIVE = 1;

export interface GateOptions {
  spreadFactor?: number;
  minRelative?: number;
}

export function compareWithBaseline(current: BenchFile, baseline: BenchFile, options: GateOptions = {}): GateResult {
  const { spreadFactor = SPREAD_FACTOR, minRelative = MIN_RELATIVE } = options;
  const now = new Map(current.measurements.map((m) => [measurementKey(m), m]));
  const compared: Comparison[] = [];
  const missing: string[] = [];
  for (const b of baseline.measurements) {
    const key = measurementKey(b);
    const c = now.get(key);
    if (!c) {
      missing.push(key);
      continue;
    }
    const spread = spreadMs(b.stats);
    const allowedMs = Math.min(Math.max(spreadFactor * spread, minRelative * b.stats.p50), MAX_RELATIVE * b.stats.p50);
    const slower = c.stats.p50 - b.stats.p50 > allowedMs;
    const broke = b.correctness?.ok === true && c.correctness?.ok === false;
    const ms = (x: number) => `${x.toFixed(3)} ms`;
    const rule =
      `${spreadFactor} × the baseline's spread ${ms(spread)}, ` +
      `between ${100 * minRelative} % and ${100 * MAX_RELATIVE} % of its p50`;
    const reason = slower
      ? `p50 ${ms(c.stats.p50)} vs ${ms(b.stats.p50)}: ${ms(c.stats.p50 - b.stats.p50)} slower, ` +
        `allowed ${ms(allowedMs)} (${rule})`
      : broke
        ? 'outputs no longer within tolerance of the correctness reference'
        : undefined;
    compared.push({
      key,
      baselineP50: b.stats.p50,
      currentP50: c.stats.p50,
      ratio: c.stats.p50 / b.stats.p50,
      spreadMs: spread,
      allowedMs,
      regression: slower || broke,
      ...(reason ? { reason } : {}),
    });
  }
  const regressions = compared.filter((c) => c.regression);
  return { ok: regressions.length === 0, compared, regressions, missing };
}

/** Larger than any bench.json a run writes (~100 KB; ~1 MB with 1000 samples each), small enough to parse at once. */
const MAX_BENCH_BYTES = 16 << 20;
const GIVE = 'give the path of an earlier bench.json';

/** What of a measurement the gate reads, or what is wrong with it. */
function measurementProblem(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'is not an object';
  const x = m as Record<string, unknown>;
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const field of ['engine', 'precision', 'artifact'] as const)
    if (typeof x[field] !== 'string') return `has no ${field}`;
  if (typeof x['batch'] !== 'number') return 'has no batch';
  if (!isObject(x['settings'])) return 'has no settings object';
  const stats = x['stats'];
  if (!isObject(stats)) return 'has no stats';
  for (const field of ['min', 'p50', 'max'] as const) {
    if (typeof stats[field] !== 'number' || !Number.isFinite(stats[field])) return `has no finite stats.${field}`;
  }
  const p90 = stats['p90'];
  if (p90 !== null && p90 !== undefined && typeof p90 !== 'number') return 'has a stats.p90 that is not a number';
  return undefined;
}

/** Reads an earlier bench.json and checks what the gate reads; a file that is not one is a user error, said once. */
export async function readBenchFile(path: string): Promise<Result<BenchFile, string>> {
  let text: string;
  try {
    const size = (await stat(path)).size;
    if (size > MAX_BENCH_BYTES) {
      const limit = `limit ${MAX_BENCH_BYTES >> 20} MB`;
      return err(`${path} is ${(size / 1e6).toFixed(0)} MB, larger than any bench.json (${limit}); ${GIVE}`);
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    return err(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? String(e)}); ${GIVE}`);
  }
  let json: Partial<BenchFile>;
  try {
    json = JSON.parse(text) as Partial<BenchFile>;
  } catch (e) {
    return err(`${path} is not JSON (${e instanceof Error ? e.message : String(e)}); ${GIVE}`);
  }
  // Schema 2 added the model's inputs and the sampling budget; the measurements read the same.
  const schema: unknown = typeof json === 'object' && json !== null ? json.schema : undefined;
  if ((schema !== 1 && schema !== 2) || !Array.isArray(json.measurements)) {
    return err(`${path} is not a bench.json (schema 1 or 2 with measurements); ${GIVE}`);
  }
  for (const [i, m] of json.measurements.entries()) {
    const problem = measurementProblem(m);
    if (problem) {
      return err(
        `${path}: measurements[${i}] ${problem}, so it is not a bench.json this tool wrote; give an undamaged one`,
      );
    }
  }
  return ok(json as BenchFile);
}
