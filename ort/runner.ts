/**
 * onnxruntime-node on the CPU: one session per (file, level, threads), a bounded warm-up, then timed runs
 * until bench.runs or bench.max_seconds (sampling.ts). Each sample is the host wall clock around one awaited
 * session.run (feeds already built; the call is synchronous work on ORT's threads, so the wall clock is the
 * latency). Every graph input is fed, whatever its element type.
 */
import { basename } from 'node:path';
import ort from 'onnxruntime-node';
import {
  openSession,
  ortError,
  ortFeeds,
  type AnyTensor,
  type FloatTensor,
  type GraphOptimizationLevel,
} from '../onnx/ort.js';
import { err, ok, type Result } from '../pipeline/result.js';
import type { BenchConfig } from '../measure/config.js';
import type { EngineGroup, EngineRunner, RunnerRequest, Skip, Work } from '../measure/kit.js';
import { skipAll, type Measurement } from '../measure/result.js';
import {
  describeSampling,
  progressOf,
  sample,
  timedBudget,
  warmupBudget,
  type Budget,
  type SampleProgress,
} from '../measure/sampling.js';
import { latencyStats, throughput } from '../measure/stats.js';
import type { Precision } from '../onnx/precision.js';
import type { Calibrator } from '../measure/calibration.js';
import { watchProcess, type MachineLoad } from '../measure/load.js';

export interface OrtSettings {
  level: GraphOptimizationLevel;
  intraOpThreads: number;
  interOpThreads: number;
}

export interface OrtRunRequest {
  path: string;
  artifact: string;
  precision: Precision;
  batch: number;
  feeds: Record<string, AnyTensor>;
  warmup: Budget;
  timed: Budget;
  settings: OrtSettings;
  progress?: SampleProgress;
  calibrator?: Calibrator;
  /** The run's stop: the measurement is abandoned before its next call. */
  signal?: AbortSignal;
}

export interface OrtRun {
  measurement: Measurement;
  /** The first float output of the last run, for the correctness check. */
  output: FloatTensor;
}

export function firstFloat(
  session: ort.InferenceSession,
  out: ort.InferenceSession.OnnxValueMapType,
): FloatTensor | undefined {
  for (const name of session.outputNames) {
    const t = out[name];
    if (t?.type === 'float32') return { dims: t.dims, data: t.data as Float32Array };
  }
  return undefined;
}

/** A failure as a skip: onnxruntime started on the file and failed. */
const failed = (message: string): Result<never, Skip> => err({ cause: 'engine-failed', message });

/** The timed samples, calibration rounds between them (calibration.ts, sampling.ts), and the load meanwhile. */
async function timedWithLoad(call: () => Promise<void>, r: OrtRunRequest) {
  const rounds: number[] = [];
  const calibrate = r.calibrator ? async () => void rounds.push(await r.calibrator!.round()) : undefined;
  const watch = watchProcess();
  const timed = await sample(call, r.timed, 'timed', r.progress, calibrate, r.signal);
  const load: MachineLoad = {
    ...watch.stop(),
    ...(calibrate ? { calibrationMs: rounds, calibratedAround: 'samples' as const } : {}),
  };
  return { timed, load };
}

export async function measureOrt(r: OrtRunRequest): Promise<Result<OrtRun, Skip>> {
  let session;
  try {
    session = await openSession(r.path, r.settings);
  } catch (e) {
    return failed(`onnxruntime-node cannot load ${r.artifact}: ${ortError(e)}`);
  }
  try {
    const feeds = ortFeeds(r.feeds);
    let out: ort.InferenceSession.OnnxValueMapType = {};
    const call = async () => {
      out = await session.run(feeds);
    };
    const warm = await sample(call, r.warmup, 'warm-up', r.progress, undefined, r.signal);
    const { timed, load } = await timedWithLoad(call, r);
    const output = firstFloat(session, out);
    if (!output)
      return err({
        cause: 'unsupported-model',
        message: `${r.artifact} has no float32 output to check against the reference`,
      });
    return ok({ measurement: measurementOf(r, warm, timed, load), output });
  } catch (e) {
    return failed(`onnxruntime-node failed running ${r.artifact} at batch ${r.batch}: ${ortError(e)}`);
  } finally {
    await session.release();
  }
}

type Sampled = Awaited<ReturnType<typeof sample>>;

/** The measurement of one run: its settings, how it was timed and sampled, the samples and their statistics. */
function measurementOf(r: OrtRunRequest, warm: Sampled, timed: Sampled, load: MachineLoad): Measurement {
  const stats = latencyStats(timed.samplesMs);
  return {
    engine: 'ort',
    precision: r.precision,
    batch: r.batch,
    artifact: r.artifact,
    device: 'cpu',
    settings: {
      executionProvider: 'cpu',
      graphOptimizationLevel: r.settings.level,
      intraOpThreads: r.settings.intraOpThreads,
      interOpThreads: r.settings.interOpThreads,
    },
    timing: 'host wall clock (performance.now) around each awaited session.run, inputs prepared beforehand',
    warmup: warm.samplesMs.length,
    sampling: {
      n: timed.samplesMs.length,
      stoppedBy: timed.stoppedBy,
      seconds: timed.seconds,
      warmup: warm.samplesMs.length,
      warmupSeconds: warm.seconds,
    },
    samplesMs: timed.samplesMs,
    stats,
    throughput: throughput(r.batch, stats),
    load,
  };
}

/** Every ORT setting to measure: the configured one, or the sweep's levels × intra-op threads. */
export function ortSettings(c: BenchConfig['ort']): OrtSettings[] {
  if (!c.sweep) return [{ level: c.level, intraOpThreads: c.intra_op_threads, interOpThreads: c.inter_op_threads }];
  return c.sweep_levels.flatMap((level) =>
    c.sweep_intra_op_threads.map((t) => ({ level, intraOpThreads: t, interOpThreads: c.inter_op_threads })),
  );
}

/** One precision's file at every setting and batch; a run onnxruntime refuses is skipped with why. */
async function measureWork(r: RunnerRequest, { precision, artifact: path }: Work, group: EngineGroup) {
  const c = r.config;
  for (const settings of ortSettings(c.ort)) {
    for (const b of r.batches) {
      const sweep = c.ort.sweep ? ` level ${settings.level} threads ${settings.intraOpThreads}` : '';
      const label = `ort ${precision} batch ${b}${sweep}`;
      const feeds = r.feeds.feeds(b);
      const run = !feeds.ok
        ? err<Skip>({ cause: 'no-inputs', message: feeds.error })
        : await measureOrt({
            path,
            artifact: basename(path),
            precision,
            batch: b,
            feeds: feeds.value,
            warmup: warmupBudget(c),
            timed: timedBudget(c),
            settings,
            progress: progressOf(r, label),
            calibrator: r.calibrator,
            signal: r.signal,
          });
      // A stopped run measures nothing more and says nothing of what it stopped.
      if (r.signal?.aborted) return;
      if (!run.ok) {
        group.skipped.push(...skipAll(['ort'], precision, run.error));
        continue;
      }
      const m = run.value.measurement;
      r.log.info(`${label}: p50 ${m.stats.p50.toPrecision(3)} ms, ${describeSampling(m.sampling!, c.max_seconds)}`);
      group.measured.push({ measurement: m, output: run.value.output.data, dims: run.value.output.dims });
    }
  }
}

/** onnxruntime-node on the CPU, always here (a dependency): FP32 runs the optimized model, FP16 convert:fp16's. */
export const ortRunner: EngineRunner<null> = {
  engines: ['ort'],
  batchSizes: (c) => (c.ort.batch_sizes.length ? c.ort.batch_sizes : c.batch_sizes),
  artifact(r, precision) {
    const path = { ...r.artifacts.onnx, fp32: r.artifacts.model }[precision];
    if (path) return path;
    const made =
      precision === 'int8' ? 'quantize:int8 produced no model.int8.onnx' : 'convert:fp16 produced no model.fp16.onnx';
    return { cause: 'no-model', message: `${made}; the manifest says why` };
  },
  available: async () => ok(null),
  calibratesEach: true,
  async measure(r, _ready, work) {
    const group: EngineGroup = { measured: [], skipped: [] };
    for (const w of work) await measureWork(r, w, group);
    return group;
  },
};
