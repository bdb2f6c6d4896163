/**
 * The whole measurement: every requested engine × precision × batch size on the same seeded inputs, each
 * checked against the correctness reference (reference.ts: the unoptimized model on onnxruntime, level
 * `disabled`, one thread). An engine this machine cannot run is recorded in `skipped` with the reason; only a
 * broken model or a failing reference run fails the benchmark.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { InputsConfig } from '../../onnx/inputs/index.js';
import { readModelFile } from '../../onnx/serde.js';
import type { Exec } from '../../pipeline/exec.js';
import { fail } from '../../pipeline/reason.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageFailure, StageLog } from '../../pipeline/stage.js';
import type { TrtConfig } from '../../trt/config.js';
import type { BenchConfig } from './config.js';
import { judge } from './correctness.js';
import { computeReference } from './reference.js';
import { environment } from './environment.js';
import { benchInputs, type BenchInputs } from './feeds.js';
import { measureTorch } from './measure-torch.js';
import { measureTrt } from './measure-trt.js';
import { measureOrt, type OrtSettings } from './ort-runner.js';
import type { BenchFile, Measurement, SkippedEngine } from './result.js';
import { describeSampling, estimateMs, timedBudget, warmupBudget, type SampleProgress } from './sampling.js';

export interface BenchArtifacts {
  /** The optimized FP32 ONNX, which ORT FP32 and PyTorch run. */
  model: string;
  /** The model before optimization (import or build): the correctness reference's graph (reference.ts). */
  source: string;
  fp16?: string;
  trtFp32?: string;
  trtFp16?: string;
  /** torch.compile's portable cache per precision (engine:torch-compile:*): the compile starts warm. */
  compiledFp32?: string;
  compiledFp16?: string;
}

export interface BenchRequest {
  config: BenchConfig;
  trt: TrtConfig;
  artifacts: BenchArtifacts;
  workDir: string;
  exec: Exec;
  log: Pick<StageLog, 'info' | 'warn'> & Partial<Pick<StageLog, 'progress'>>;
  /** What onnx/inputs needs to feed the model (model.dims, model.inputs, model.batch_dim). */
  inputs?: InputsConfig;
  /** model.check_data's files (input_N.pb, output_N.pb), when given. */
  checkFiles?: Readonly<Record<string, string>>;
  /** `--precision`: measure only this one; the other is recorded as left out. */
  only?: 'fp32' | 'fp16';
  signal?: AbortSignal;
}

/** What every engine group hands back: measurements with their outputs for the check, and skips. */
export interface Measured {
  measurement: Measurement;
  output: Float32Array;
  dims: readonly number[];
}

export interface EngineGroup {
  measured: Measured[];
  skipped: SkippedEngine[];
}

/** Every ORT setting to measure: the configured one, or the sweep's levels × intra-op threads. */
export function ortSettings(c: BenchConfig['ort']): OrtSettings[] {
  if (!c.sweep) return [{ level: c.level, intraOpThreads: c.intra_op_threads, interOpThreads: c.inter_op_threads }];
  return c.sweep_levels.flatMap((level) =>
    c.sweep_intra_op_threads.map((t) => ({ level, intraOpThreads: t, interOpThreads: c.inter_op_threads })),
  );
}

/** Progress of one budgeted loop, as the stage's live line: `ort fp32 batch 8 timed · 45/100 · 3.2 s of ~7 s`. */
export const progressOf = (r: BenchRequest, label: string): SampleProgress | undefined => {
  const progress = r.log.progress;
  if (!progress) return undefined;
  return (phase, n, elapsedMs, b) =>
    progress(n, b.runs, `${label} ${phase}`, { elapsedMs, estimateMs: estimateMs(b, n, elapsedMs) });
};

/** The precisions this run measures, and a skip for the one `--precision` left out. */
function precisions(r: BenchRequest): { wanted: BenchConfig['precisions']; skipped: SkippedEngine[] } {
  if (!r.only) return { wanted: r.config.precisions, skipped: [] };
  const left = r.config.precisions.filter((p) => p !== r.only);
  return {
    wanted: r.config.precisions.filter((p) => p === r.only),
    skipped: left.map((precision) => ({ engine: 'all', precision, reason: `left out by --precision ${r.only}` })),
  };
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
  const batches = c.batch_sizes.filter(usable);
  for (const b of c.batch_sizes.filter((b) => !usable(b))) {
    const why = `${basename(model)} has a fixed batch of ${fixed}; give it a dynamic batch dimension to measure others`;
    skipped.push({ engine: 'all', reason: `batch ${b}: ${why}` });
  }
  const ortBatches = (c.ort.batch_sizes.length ? c.ort.batch_sizes : c.batch_sizes).filter(usable);
  const reference = await computeReference(r.artifacts.source, inputs.value, [...new Set([...batches, ...ortBatches])]);
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

  if (c.engines.includes('ort')) add(await measureOrtAll(r, inputs.value, ortBatches, wanted));
  const torch = await measureTorch(r, modelBytes, inputs.value, batches, wanted);
  add(torch);
  if (c.engines.includes('trt')) add(await measureTrt(r, inputs.value, batches, wanted));

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
    environment: await environment(r.exec, torch.environment),
    measurements,
    skipped,
  });
}

async function measureOrtAll(
  r: BenchRequest,
  inputs: BenchInputs,
  batches: number[],
  wanted: BenchConfig['precisions'],
): Promise<EngineGroup> {
  const c = r.config;
  const group: EngineGroup = { measured: [], skipped: [] };
  for (const precision of wanted) {
    const path = precision === 'fp32' ? r.artifacts.model : r.artifacts.fp16;
    if (!path) {
      const reason = 'convert:fp16 produced no model.fp16.onnx (skipped or not configured)';
      group.skipped.push({ engine: 'ort', precision, reason });
      continue;
    }
    for (const settings of ortSettings(c.ort)) {
      for (const b of batches) {
        const sweep = c.ort.sweep ? ` level ${settings.level} threads ${settings.intraOpThreads}` : '';
        const label = `ort ${precision} batch ${b}${sweep}`;
        const feeds = inputs.feeds(b);
        const run = !feeds.ok
          ? feeds
          : await measureOrt({
              path,
              artifact: basename(path),
              precision,
              batch: b,
              feeds: feeds.value,
              warmup: warmupBudget(c),
              timed: timedBudget(c),
              settings,
              ...optional(progressOf(r, label)),
            });
        if (!run.ok) {
          group.skipped.push({ engine: 'ort', precision, reason: run.error });
          continue;
        }
        const m = run.value.measurement;
        r.log.info(`${label}: p50 ${m.stats.p50.toPrecision(3)} ms, ${describeSampling(m.sampling!, c.max_seconds)}`);
        group.measured.push({ measurement: m, output: run.value.output.data, dims: run.value.output.dims });
      }
    }
  }
  return group;
}

export const optional = <T>(progress: T | undefined): { progress?: T } => (progress ? { progress } : {});
