/**
 * onnxruntime-node on the CPU: one session per (file, level, threads), warm-up runs, then N timed runs.
 * Each sample is the host wall clock around one awaited session.run (inputs already built; the call is
 * synchronous work on ORT's threads, so the wall clock is the latency).
 */
import { openSession, runFloat, type FloatTensor, type GraphOptimizationLevel } from '../../onnx/ort.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { Measurement } from './result.js';
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
  inputName: string;
  input: FloatTensor;
  warmup: number;
  runs: number;
  settings: OrtSettings;
}

export interface OrtRun {
  measurement: Measurement;
  /** The first output of the last run, for the correctness check. */
  output: FloatTensor;
}

const message = (e: unknown) => (e instanceof Error ? e.message.split('\n')[0] ?? e.message : String(e));

export async function measureOrt(r: OrtRunRequest): Promise<Result<OrtRun, string>> {
  let session;
  try {
    session = await openSession(r.path, r.settings);
  } catch (e) {
    return err(`onnxruntime-node cannot load ${r.artifact}: ${message(e)}`);
  }
  try {
    const feeds = { [r.inputName]: r.input };
    let out: Record<string, FloatTensor> = {};
    for (let i = 0; i < r.warmup; i++) out = await runFloat(session, feeds);
    const samplesMs: number[] = [];
    for (let i = 0; i < r.runs; i++) {
      const t0 = performance.now();
      out = await runFloat(session, feeds);
      samplesMs.push(performance.now() - t0);
    }
    const first = session.outputNames[0];
    const output = first !== undefined ? out[first] : undefined;
    if (!output) return err(`${r.artifact} produced no output`);
    const stats = latencyStats(samplesMs);
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
        warmup: r.warmup,
        samplesMs,
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
