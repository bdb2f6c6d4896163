/**
 * onnxruntime-node on the CPU: one session per (file, level, threads), a bounded warm-up, then timed runs
 * until bench.runs or bench.max_seconds (sampling.ts). Each sample is the host wall clock around one awaited
 * session.run (feeds already built; the call is synchronous work on ORT's threads, so the wall clock is the
 * latency). Every graph input is fed, whatever its element type.
 */
import ort from 'onnxruntime-node';
import { openSession, type AnyTensor, type FloatTensor, type GraphOptimizationLevel } from '../../onnx/ort.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { Measurement } from './result.js';
import { sample, type Budget, type SampleProgress } from './sampling.js';
import { latencyStats, throughput } from './stats.js';

export interface OrtSettings {
  level: GraphOptimizationLevel;
  intraOpThreads: number;
  interOpThreads: number;
}

export interface OrtRunRequest {
  path: string;
  artifact: string;
  precision: 'fp32' | 'fp16';
  batch: number;
  feeds: Record<string, AnyTensor>;
  warmup: Budget;
  timed: Budget;
  settings: OrtSettings;
  progress?: SampleProgress;
}

export interface OrtRun {
  measurement: Measurement;
  /** The first float output of the last run, for the correctness check. */
  output: FloatTensor;
}

const message = (e: unknown) => (e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e));

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

export async function measureOrt(r: OrtRunRequest): Promise<Result<OrtRun, string>> {
  let session;
  try {
    session = await openSession(r.path, r.settings);
  } catch (e) {
    return err(`onnxruntime-node cannot load ${r.artifact}: ${message(e)}`);
  }
  try {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(r.feeds)) feeds[name] = new ort.Tensor(t.type, t.data as never, t.dims);
    let out: ort.InferenceSession.OnnxValueMapType = {};
    const call = async () => {
      out = await session.run(feeds);
    };
    const warm = await sample(call, r.warmup, 'warm-up', r.progress);
    const timed = await sample(call, r.timed, 'timed', r.progress);
    const output = firstFloat(session, out);
    if (!output) return err(`${r.artifact} has no float32 output to check against the reference`);
    const stats = latencyStats(timed.samplesMs);
    return ok({
      measurement: {
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
      },
      output,
    });
  } catch (e) {
    return err(`onnxruntime-node failed running ${r.artifact} at batch ${r.batch}: ${message(e)}`);
  } finally {
    await session.release();
  }
}
