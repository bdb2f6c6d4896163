/**
 * The whole measurement: every requested engine × precision × batch size on the same seeded inputs, each
 * checked against the correctness reference (reference.ts: the unoptimized model on onnxruntime, level
 * `disabled`, one thread). The engines are a table of runners (engine-runner.ts); what one cannot measure is
 * recorded in `skipped` with its kind and the reason; only a broken model or a failing reference run fails the
 * benchmark.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { readModelFile } from '../../onnx/serde.js';
import { fail } from '../../pipeline/reason.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { BenchConfig } from '../../measure/config.js';
import { judge } from './correctness.js';
import { computeReference } from './reference.js';
import { environment } from './environment.js';
import { benchInputs } from '../../measure/feeds.js';
import {
  skipAll,
  type EngineGroup,
  type BenchRequest,
  type EngineRunner,
  type RunnerRequest,
  type Work,
} from '../../measure/engine-runner.js';
import type { EngineKit } from '../../measure/kit.js';
import { ortKit } from '../../ort/index.js';
import { torchKit } from '../../torch/index.js';
import { trtKit } from '../../trt/index.js';
import type { BenchFile, Measurement, SkippedEngine } from '../../measure/result.js';
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

/** Every engine the benchmark can time, in the order they are measured. */
export const KITS: readonly EngineKit[] = [ortKit, torchKit, trtKit];

/** The kits' runners, in the table's order. */
export const RUNNERS: readonly EngineRunner[] = KITS.map((k) => k.runner);

/**
 * One runner's part: its engines bench.engines lists, at every wanted precision it has a file for and this
 * machine can run; the rest skipped with the kind. A machine without the runner's tool says so for every
 * precision, since that is also why the stage that makes its engine made none.
 */
async function measureWith(runner: EngineRunner, r: RunnerRequest, wanted: readonly Precision[]): Promise<EngineGroup> {
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
  r: BenchRequest,
  model: Pick<RunnerRequest, 'feeds' | 'modelBytes'>,
  wanted: readonly Precision[],
  batchesOf: (runner: EngineRunner) => number[],
): Promise<EngineGroup[]> {
  const groups: EngineGroup[] = [];
  for (const runner of RUNNERS) {
    const engines = runner.engines.filter((e) => r.config.engines.includes(e));
    if (engines.length === 0 || wanted.length === 0) continue;
    groups.push(await measureWith(runner, { ...r, ...model, engines, batches: batchesOf(runner) }, wanted));
  }
  return groups;
}

export async function runBenchmark(r: BenchRequest): Promise<Result<BenchFile, StageFailure>> {
  const c = r.config;
  const { model } = r.artifacts;
  const decoded = await readModelFile(model);
  if (!decoded.ok) return fail('bad-input', decoded.error);
  const inputs = await benchInputs(decoded.value, r.inputs ?? {}, c.seed, r.checkFiles ?? {});
  if (!inputs.ok) return fail('bad-input', `${basename(model)}: ${inputs.error}`);
  const modelBytes = await readFile(model);
  const { wanted, skipped } = precisions(r);
  const measurements: Measurement[] = [];
  await mkdir(r.workDir, { recursive: true });

  const fixed = inputs.value.fixedBatch;
  const usable = (batch: number) => fixed === undefined || batch === fixed;
  for (const b of c.batch_sizes.filter((b) => !usable(b))) {
    const why = `${basename(model)} has a fixed batch of ${fixed}; give it a dynamic batch dimension to measure others`;
    skipped.push({ engine: 'all', kind: 'fixed-batch', reason: `batch ${b}: ${why}` });
  }
  const batchesOf = (runner: EngineRunner) => (runner.batchSizes?.(c) ?? c.batch_sizes).filter(usable);
  const batches = [...new Set(RUNNERS.flatMap(batchesOf))];
  const reference = await computeReference(r.artifacts.source, inputs.value, batches);
  if (!reference.ok) return fail('tool-failed', `the correctness reference run failed: ${reference.error}`);
  const check = (m: Measurement, out: Float32Array, dims: readonly number[]) => {
    const ref = reference.value.outputs.get(m.batch);
    if (!ref) throw new Error(`Internal error: no reference for batch ${m.batch}`);
    m.correctness = judge(out, ref.data, dims, m.precision, c.tolerance);
    if (m.correctness.ok) return;
    const fields = { relL2: m.correctness.relL2, maxAbs: m.correctness.maxAbs, top1: m.correctness.top1 };
    r.log.warn(`${m.engine} ${m.precision} batch ${m.batch} is outside tolerance: flagged, not ranked`, fields);
  };
  const add = (group: EngineGroup) => {
    skipped.push(...group.skipped);
    for (const { measurement, output, dims } of group.measured) {
      check(measurement, output, dims);
      measurements.push(measurement);
    }
  };

  const groups = await measureTable(r, { feeds: inputs.value, modelBytes }, wanted, batchesOf);
  for (const g of groups) add(g);

  return ok({
    schema: 2,
    createdAt: new Date().toISOString(),
    model: {
      name: basename(model),
      inputs: inputs.value.specs,
      sha256: createHash('sha256').update(modelBytes).digest('hex'),
    },
    reference: reference.value.info,
    budget: { runs: c.runs, maxSeconds: c.max_seconds, warmup: c.warmup, warmupMaxSeconds: c.warmup_max_seconds },
    environment: await environment(r.exec, groups),
    measurements,
    skipped,
  });
}
