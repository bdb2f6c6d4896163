/**
 * The whole measurement: every requested engine × precision × batch size on the same seeded inputs, each
 * checked against the correctness reference (reference.ts: the unoptimized model on onnxruntime, level
 * `disabled`, one thread). The engines are a table of runners, one per kit (kits.ts `KITS`); what one cannot
 * measure is recorded in `skipped` with its kind and the reason; only a broken model or a failing reference run
 * fails the benchmark.
 */
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import { mkdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { nonFiniteSources } from '../../onnx/non-finite.js';
import { readModelFile } from '../../onnx/serde.js';
import { fail } from '../../pipeline/cause.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { BenchConfig } from '../../measure/config.js';
import { BRACKET_ROUNDS, startCalibrator, WORKLOAD, type Calibrator } from '../../measure/calibration.js';
import { judge } from './correctness.js';
import { noiseOf } from '../../measure/noise.js';
import { computeReference, type Reference } from './reference.js';
import { LABELS_FILE } from './labels.js';
import { taskCheck, type TaskCheck } from './task-check.js';
import { environment } from './environment.js';
import { benchInputs } from '../../measure/feeds.js';
import type { EngineGroup, BenchRequest, EngineKit, EngineRunner, RunnerRequest, Work } from '../../measure/kit.js';
import { KITS } from './kits.js';
import { skipAll, type BenchFile, type Measurement, type SkippedEngine } from '../../measure/result.js';
import type { Precision } from '../../onnx/precision.js';

/** The precisions this run measures, and a skip for the one `--precision` left out. */
function precisions(r: BenchRequest): { wanted: BenchConfig['precisions']; skipped: SkippedEngine[] } {
  if (!r.only) return { wanted: r.config.precisions, skipped: [] };
  const left = r.config.precisions.filter((p) => p !== r.only);
  const reason = `left out by --precision ${r.only}`;
  return {
    wanted: r.config.precisions.filter((p) => p === r.only),
    skipped: left.map((precision) => ({ engine: 'all', precision, kind: 'excluded', reason })),
  };
}

/**
 * The model's own non-finite output, said as optimize says it (the tensor, and what in the model holds NaN or
 * ±Inf): no engine is judged against it, so none is blamed for it.
 */
async function notFiniteReference(source: string, output: string | undefined): Promise<string | undefined> {
  if (output === undefined) return undefined;
  const model = await readModelFile(source);
  const sources = model.ok ? nonFiniteSources(model.value) : [];
  const held = sources.length === 0 ? '' : `; the model holds NaN or ±Inf in ${sources.slice(0, 3).join(', ')}`;
  return (
    `the model's own output '${output}' is not finite (NaN or ±Inf) on the benchmark's inputs${held}, so ` +
    'correctness is not judged for any engine (the reference is the model itself)'
  );
}

/** The kits' runners, in the order they are measured. */
export const loadRunners = (kits: readonly EngineKit[] = KITS): Promise<EngineRunner[]> =>
  Promise.all(kits.map((k) => k.runner()));

/**
 * One runner's part: its engines bench.engines lists, at every wanted precision it has a file for and this
 * machine can run; the rest skipped with the kind. A machine without the runner's tool says so for every
 * precision, since that is also why the stage that makes its engine made none.
 */
async function measureWith(runner: EngineRunner, r: RunnerRequest, wanted: readonly Precision[]): Promise<EngineGroup> {
  if (runner.calibratesEach) return measureFound(runner, r, wanted);
  const avg = loadavg()[0] ?? 0;
  const before = (await r.calibrator?.rounds(BRACKET_ROUNDS)) ?? [];
  const group = await measureFound(runner, r, wanted);
  const after = (await r.calibrator?.rounds(BRACKET_ROUNDS)) ?? [];
  for (const { measurement: m } of group.measured) {
    m.load = {
      ...(m.load ?? { loadavg1: [avg, loadavg()[0] ?? 0] }),
      ...(r.calibrator ? { calibrationMs: [...before, ...after], calibratedAround: 'group' as const } : {}),
    };
  }
  return group;
}

async function measureFound(runner: EngineRunner, r: RunnerRequest, wanted: readonly Precision[]) {
  const files = wanted.map((precision) => ({ precision, artifact: runner.artifact(r, precision) }));
  const found = await runner.available(r);
  if (!found.ok) return { measured: [], skipped: wanted.flatMap((p) => skipAll(r.engines, p, found.error)) };
  const work = files.filter((f): f is Work => typeof f.artifact === 'string');
  const missing = files.flatMap((f) =>
    typeof f.artifact === 'string' ? [] : skipAll(r.engines, f.precision, f.artifact),
  );
  const group = work.length > 0 ? await runner.measure(r, found.value, work) : { measured: [], skipped: [] };
  return { ...group, skipped: [...missing, ...group.skipped] };
}

/** Every runner of the table with an engine that bench.engines lists, in turn (they would share the cores). */
async function measureTable(
  runners: readonly EngineRunner[],
  r: BenchRequest,
  model: Pick<RunnerRequest, 'feeds' | 'modelBytes' | 'calibrator'>,
  wanted: readonly Precision[],
  batchesOf: (runner: EngineRunner) => number[],
): Promise<EngineGroup[]> {
  const groups: EngineGroup[] = [];
  for (const runner of runners) {
    const engines = runner.engines.filter((e) => r.config.engines.includes(e));
    if (engines.length === 0 || wanted.length === 0) continue;
    groups.push(await measureWith(runner, { ...r, ...model, engines, batches: batchesOf(runner) }, wanted));
  }
  return groups;
}

/** The measurements with the calibration workload's threads started for them, and stopped after. */
async function calibrated(measure: (c: Calibrator) => Promise<EngineGroup[]>) {
  const calibrator = await startCalibrator();
  try {
    return { groups: await measure(calibrator), threads: calibrator.threads };
  } finally {
    await calibrator.close();
  }
}

/**
 * Judges a measurement against the reference and warns when it is outside tolerance; judges none when the
 * model's own output is not finite (recorded in the reference's `notFinite` and said once).
 */
async function checker(r: BenchRequest, reference: Reference, task: TaskCheck) {
  const notFinite = await notFiniteReference(r.artifacts.source, reference.nonFinite);
  if (notFinite) {
    reference.info.notFinite = notFinite;
    r.log.warn(notFinite);
  }
  return (m: Measurement, out: Float32Array, dims: readonly number[]) => {
    if (notFinite) return;
    const ref = reference.outputs.get(m.batch);
    if (!ref) throw new Error(`Internal error: no reference for batch ${m.batch}`);
    m.correctness = judge(out, ref.data, dims, m.precision, r.config.tolerance);
    const metric = task(m.batch, out, dims);
    if (metric) m.correctness.task = metric;
    if (m.correctness.ok) return;
    const fields = { relL2: m.correctness.relL2, maxAbs: m.correctness.maxAbs, top1: m.correctness.top1 };
    r.log.warn(`${m.engine} ${m.precision} batch ${m.batch} is outside tolerance: flagged, not ranked`, fields);
  };
}

/** A skip for each batch size the model's fixed batch leaves out. */
function fixedBatchSkips(model: string, sizes: readonly number[], fixed: number | undefined): SkippedEngine[] {
  if (fixed === undefined) return [];
  const why = `${basename(model)} has a fixed batch of ${fixed}; give it a dynamic batch dimension to measure others`;
  return sizes
    .filter((b) => b !== fixed)
    .map((b) => ({ engine: 'all', kind: 'fixed-batch', reason: `batch ${b}: ${why}` }));
}

/** The groups' measurements, each judged and given its noise; their skips added to `skipped`. */
function judged(groups: EngineGroup[], check: Awaited<ReturnType<typeof checker>>, skipped: SkippedEngine[]) {
  const measurements: Measurement[] = [];
  for (const group of groups) {
    skipped.push(...group.skipped);
    for (const { measurement, output, dims } of group.measured) {
      check(measurement, output, dims);
      measurement.noise = noiseOf(measurement.samplesMs, measurement.stats);
      measurements.push(measurement);
    }
  }
  return measurements;
}

/** The file's model: the graph measured, by name and hash, and the user's model it came from when one was given. */
function modelInfo(
  r: BenchRequest,
  inputs: BenchFile['model']['inputs'],
  modelBytes: Buffer,
  sourceSha256: string,
): BenchFile['model'] {
  const name = r.given?.['name'];
  const path = r.given?.['path'];
  return {
    name: basename(r.artifacts.model),
    inputs,
    sha256: createHash('sha256').update(modelBytes).digest('hex'),
    ...(name !== undefined && path !== undefined ? { source: { name, path, sha256: sourceSha256 } } : {}),
  };
}

/** The benchmark of `r`, by the runners of `kits` (a test hands it a list of its own). */
export async function runBenchmark(r: BenchRequest, kits = KITS): Promise<Result<BenchFile, StageFailure>> {
  const c = r.config;
  const { model } = r.artifacts;
  const decoded = await readModelFile(model);
  if (!decoded.ok) return fail('bad-input', decoded.error);
  const inputs = await benchInputs(decoded.value, r.inputs ?? {}, c.seed, r.checkFiles ?? {});
  if (!inputs.ok) return fail('bad-input', `${basename(model)}: ${inputs.error}`);
  const modelBytes = await readFile(model);
  const { wanted, skipped } = precisions(r);
  await mkdir(r.workDir, { recursive: true });
  const fixed = inputs.value.fixedBatch;
  const usable = (batch: number) => fixed === undefined || batch === fixed;
  skipped.push(...fixedBatchSkips(model, c.batch_sizes, fixed));
  const batchesOf = (runner: EngineRunner) => (runner.batchSizes?.(c) ?? c.batch_sizes).filter(usable);
  const runners = await loadRunners(kits);
  const batches = [...new Set(runners.flatMap(batchesOf))];
  const reference = await computeReference(r.artifacts.source, inputs.value, batches);
  if (!reference.ok) return fail('tool-failed', `the correctness reference run failed: ${reference.error}`);
  const task = await taskCheck(reference.value, r.checkFiles?.[LABELS_FILE], inputs.value.checkBatch, r.log);
  if (!task.ok) return fail('bad-input', task.error);
  const check = await checker(r, reference.value, task.value);
  const { groups, threads } = await calibrated((calibrator) =>
    measureTable(runners, r, { feeds: inputs.value, modelBytes, calibrator }, wanted, batchesOf),
  );
  const died = groups.find((g) => g.died)?.died;
  if (died) return fail('tool-failed', `${died}; nothing of this benchmark is stored`);
  const measurements = judged(groups, check, skipped);

  return ok({
    schema: 2,
    createdAt: new Date().toISOString(),
    model: modelInfo(r, inputs.value.specs, modelBytes, reference.value.info.sha256),
    reference: reference.value.info,
    budget: { runs: c.runs, maxSeconds: c.max_seconds, warmup: c.warmup, warmupMaxSeconds: c.warmup_max_seconds },
    environment: await environment(r.exec, groups),
    measurements,
    calibration: { workload: WORKLOAD, threads },
    skipped,
  });
}
