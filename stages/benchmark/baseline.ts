/**
 * The regression gate: the current bench.json against an earlier one. Measurements are matched by engine,
 * precision, batch, artifact and settings.
 *
 * The gate reads each measurement's fastest tenth, its p10 (the sorted sample at index ⌊0.1·(n − 1)⌋), and
 * the calibration rounds timed with it (calibration.ts: a fixed workload, independent of the model and the code
 * under test) likewise. On a machine shared with other jobs the fastest samples are the ones no other job
 * interrupted: load mostly lengthens the tail and moves the median, while a slower model, pass or engine
 * slows every sample. What load still does to the fastest samples it does to the calibration's too, so each is
 * put in the machine's own units:
 *
 *   ratio = (current p10 / current calibration p10) / (baseline p10 / baseline calibration p10)
 *
 * (plain current p10 / baseline p10 where either file has no calibration: one written before it existed). In
 * `make bench-gate` on the shared 2-core machine at a load average of 12–21 (docs/benchmark.md), the largest
 * ratio per run was 0.77–1.27 for unchanged code under a CPU hog and 3.01–10.19 for a 3× slowdown; judged by the
 * p50 instead, unchanged runs reached 1.54–3.34 and one failed even after re-measuring. The measurement
 * regressed when the ratio exceeds 1 + allowed, where
 *
 *   allowed = 2 × the baseline's spread / its p50 + 2 × the current calibration's spread / its median,
 *             clamped to between 10 % and 100 %
 *
 * The spread of a sample set is max(p90 − p50, p50 − min) for a measurement (the max stands in for p90 below
 * 10 samples) and the median absolute deviation for the calibration rounds. Why these terms:
 * - the baseline's spread: the H100 repeats (docs/benchmarks/h100) stayed within 1.9 × the baseline's spread
 *   apart from the one real change; the measurement's own current spread never widens the allowance, since a
 *   slow run on a loaded machine is a noisy one too and must not excuse itself;
 * - the calibration's spread: how unsteady the machine itself was during this run, measured by the workload
 *   that does not depend on the code under test, so a loaded machine widens the allowance and a slower engine
 *   does not;
 * - at least 10 %: the calibration tracks an engine's slowdown under load only approximately (a thread pool's
 *   spin-waits are not the workload's); docs/benchmark.md has the ratios measured under a CPU hog;
 * - at most 100 %: a median that doubles in the machine's own units is not noise, so a ~3× slowdown is always
 *   caught however busy the machine is.
 * An engine that was right and now fails its correctness check is a regression too. run.ts confirms a
 * regression by measuring it again (CONFIRMATIONS times) before failing: it stands only if every one regresses.
 */
import { readFile, stat } from 'node:fs/promises';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { BenchFile, LatencyStats, Measurement } from '../../measure/result.js';
import { mad, median, quantile } from '../../measure/noise.js';

export interface Comparison {
  key: string;
  baselineP50: number;
  currentP50: number;
  /** The p10s the gate judged. */
  baselineP10: number;
  currentP10: number;
  /** The calibration rounds' p10s (ms), when both files have them. */
  baselineCalibrationMs?: number;
  currentCalibrationMs?: number;
  /** current / baseline p10, each over its calibration's where both have one (see above). */
  ratio: number;
  /** The share of the baseline's p50 the ratio may exceed 1 by. */
  allowed: number;
  regression: boolean;
  /** Right in the baseline, outside tolerance now (a regression whatever the speed). */
  broke: boolean;
  reason?: string;
  /** The ratios of the re-measurements that confirmed or cleared it (confirm.ts). */
  again?: number[];
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
  'compileBinaries',
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

/** Multiples of the spreads the ratio may exceed 1 by, and the floor and ceiling of that allowance (see above). */
export const SPREAD_FACTOR = 2;
export const MIN_RELATIVE = 0.1;
export const MAX_RELATIVE = 1;

const calibration = (m: Measurement): number | undefined =>
  m.load?.calibrationMs?.length ? quantile(m.load.calibrationMs, GATE_QUANTILE) : undefined;

/** The share of the fastest samples the gate reads (see above). */
export const GATE_QUANTILE = 0.1;
const fast = (xs: readonly number[]): number => quantile(xs, GATE_QUANTILE);

/** One measurement against its baseline (the rule above). */
export function compareOne(c: Measurement, b: Measurement): Comparison {
  const [cc, bc] = [calibration(c), calibration(b)];
  const both = cc !== undefined && bc !== undefined;
  const [cf, bf] = [fast(c.samplesMs), fast(b.samplesMs)];
  const ratio = both ? cf / cc / (bf / bc) : cf / bf;
  const calSpread = both ? mad(c.load!.calibrationMs!) / median(c.load!.calibrationMs!) : 0;
  const raw = SPREAD_FACTOR * (spreadMs(b.stats) / b.stats.p50 + calSpread);
  const allowed = Math.min(Math.max(raw, MIN_RELATIVE), MAX_RELATIVE);
  const slower = ratio > 1 + allowed;
  const broke = b.correctness?.ok === true && c.correctness?.ok === false;
  const ms = (x: number) => `${x.toFixed(3)} ms`;
  const units = both ? `, calibration p10 ${ms(cc)} vs ${ms(bc)}` : ' (no calibration in both files: raw)';
  const reason = slower
    ? `p10 ${ms(cf)} vs ${ms(bf)}${units}: ${ratio.toFixed(2)}× the baseline, ` + `allowed ${(1 + allowed).toFixed(2)}×`
    : broke
      ? 'outputs no longer within tolerance of the correctness reference'
      : undefined;
  return {
    key: measurementKey(c),
    baselineP50: b.stats.p50,
    currentP50: c.stats.p50,
    baselineP10: bf,
    currentP10: cf,
    ...(both ? { baselineCalibrationMs: bc, currentCalibrationMs: cc } : {}),
    ratio,
    allowed,
    regression: slower || broke,
    broke,
    ...(reason ? { reason } : {}),
  };
}

export function compareWithBaseline(current: BenchFile, baseline: BenchFile): GateResult {
  const now = new Map(current.measurements.map((m) => [measurementKey(m), m]));
  const compared: Comparison[] = [];
  const missing: string[] = [];
  for (const b of baseline.measurements) {
    const c = now.get(measurementKey(b));
    if (c) compared.push(compareOne(c, b));
    else missing.push(measurementKey(b));
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
