/**
 * One interface for every engine the benchmark times: onnxruntime in this process (ort-runner.ts), PyTorch
 * through its runner process (measure-torch.ts), TensorRT through trtexec (measure-trt.ts). run-bench.ts goes
 * down a table of them: each says, per precision, the file it would run or why there is none, whether this
 * machine can run it at all, and then measures what it can; whatever it cannot is skipped with a kind.
 */
import type { Result } from '../../pipeline/result.js';
import type { BenchConfig, EngineName } from './config.js';
import type { BenchInputs } from './feeds.js';
import type { Measurement, SkipKind, SkippedEngine } from './result.js';
import type { BenchRequest } from './run-bench.js';
import { estimateMs, type SampleProgress } from './sampling.js';

export type Precision = 'fp32' | 'fp16';

/** Why something cannot be measured: the kind code switches on, and the sentence people read. */
export interface Skip {
  kind: SkipKind;
  reason: string;
}

/** A measurement with its output, for the correctness check against the reference. */
export interface Measured {
  measurement: Measurement;
  output: Float32Array;
  dims: readonly number[];
}

/** What a runner hands back: its measurements, what it skipped, and the versions it ran with. */
export interface EngineGroup {
  measured: Measured[];
  skipped: SkippedEngine[];
  /** Library versions for bench.json's environment (torch, python, CUDA…). */
  versions?: Record<string, string>;
  /** The GPU the runner saw, where nvidia-smi cannot say. */
  gpu?: { name: string; computeCapability?: string };
  /** The runner was killed from outside (the OOM killer): the benchmark fails with this reason. */
  died?: string;
}

/** A runner's share of the benchmark: the request, and what of it this runner measures. */
export interface RunnerRequest extends BenchRequest {
  /** Its engines that bench.engines lists. */
  engines: readonly EngineName[];
  /** Its batch sizes that the model can run. */
  batches: number[];
  feeds: BenchInputs;
  /** The optimized model's bytes (PyTorch runs its graph). */
  modelBytes: Uint8Array;
}

/** A precision this runner has a file for: the ONNX model or engine it runs. */
export interface Work {
  precision: Precision;
  artifact: string;
}

export interface EngineRunner<Ready = unknown> {
  /** The names in bench.engines it measures. */
  readonly engines: readonly EngineName[];
  /** Its batch sizes, when not bench.batch_sizes. */
  batchSizes?(c: BenchConfig): number[];
  /** The file it runs for `precision`, or why there is none (the stage that makes it produced nothing). */
  artifact(r: RunnerRequest, precision: Precision): string | Skip;
  /** Whether this machine can run it at all (its tool, its GPU): what it found, or why not. */
  available(r: RunnerRequest): Promise<Result<Ready, Skip>>;
  /** Every engine × precision × batch of `work`; a run that fails is skipped with its kind. */
  measure(r: RunnerRequest, ready: Ready, work: readonly Work[]): Promise<EngineGroup>;
}

/** Skips `engines` at `precision` for one reason. */
export const skipAll = (engines: readonly string[], precision: Precision, skip: Skip): SkippedEngine[] =>
  engines.map((engine) => ({ engine, precision, kind: skip.kind, reason: skip.reason }));

/** Progress of one budgeted loop, as the stage's live line: `ort fp32 batch 8 timed · 45/100 · 3.2 s of ~7 s`. */
export const progressOf = (r: BenchRequest, label: string): SampleProgress | undefined => {
  const progress = r.log.progress;
  if (!progress) return undefined;
  return (phase, n, elapsedMs, b) =>
    progress(n, b.runs, `${label} ${phase}`, { elapsedMs, estimateMs: estimateMs(b, n, elapsedMs) });
};

export const optional = <T>(progress: T | undefined): { progress?: T } => (progress ? { progress } : {});
