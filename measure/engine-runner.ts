/**
 * One interface for every engine the benchmark times: onnxruntime in this process (ort/runner.ts), PyTorch
 * through its runner process (torch/measure.ts), TensorRT through trtexec (trt/measure.ts). run-bench.ts goes
 * down a table of them: each says, per precision, the file it would run or why there is none, whether this
 * machine can run it at all, and then measures what it can; whatever it cannot is skipped with a kind.
 */
import type { Result } from '../pipeline/result.js';
import type { BenchConfig, EngineName } from './config.js';
import type { BenchInputs } from './feeds.js';
import type { Measurement, SkipKind, SkippedEngine } from './result.js';
import type { InputsConfig } from '../onnx/inputs/index.js';
import type { Exec } from '../pipeline/execute/exec.js';
import type { StageLog } from '../pipeline/stage.js';
import type { Calibrator } from './calibration.js';
import { estimateMs, type SampleProgress } from './sampling.js';
import type { Precision } from '../onnx/precision.js';

/** A file per precision, where the stage that makes it made one. */
export type ByPrecision = { readonly [P in Precision]?: string | undefined };

/** The files the benchmark runs: one table per kind of file, keyed by precision, so a new precision is a key. */
export interface BenchArtifacts {
  /** The optimized FP32 ONNX, which ORT FP32 and PyTorch run. */
  model: string;
  /** The model before optimization (import or build): the correctness reference's graph (reference.ts). */
  source: string;
  /**
   * The ONNX model ORT runs at each precision other than fp32 (convert:fp16's for fp16, quantize:int8's Q/DQ
   * model for int8).
   */
  onnx?: ByPrecision;
  /** TensorRT's engine per precision (engine:trt:*). */
  trt?: ByPrecision;
  /** torch.compile's portable cache per precision (engine:torch-compile:*): the compile starts warm. */
  compiled?: ByPrecision;
  /** torch-fused's per-block plan (engine:torch-fused:fp16): which blocks run the fused kernel, and how. */
  fused?: ByPrecision;
  /** The AOTInductor package per precision (engine:torch-aoti:*): the torch-aoti engine. */
  aoti?: ByPrecision;
}

/**
 * What the benchmark asks of every runner. A kit adds the config section its runner reads by declaration
 * merging (trt/measure.ts adds `trt`), so this module names no engine.
 */
export interface BenchRequest {
  config: BenchConfig;
  artifacts: BenchArtifacts;
  workDir: string;
  exec: Exec;
  log: Pick<StageLog, 'info' | 'warn'> & Partial<Pick<StageLog, 'progress'>>;
  /** What onnx/inputs needs to feed the model (model.dims, model.inputs, model.batch_dim). */
  inputs?: InputsConfig;
  /** model.check_data's files (input_N.pb, output_N.pb, labels.json), when given. */
  checkFiles?: Readonly<Record<string, string>>;
  /** The user's model as they gave it (source/given.ts); absent for the built model. */
  given?: Readonly<Record<string, string>>;
  /** `--precision`: measure only this one; the other is recorded as left out. */
  only?: Precision;
  signal?: AbortSignal;
}

/** Why something cannot be measured (bench.json's `skipped` writes them as `kind` and `reason`). */
export interface Skip {
  /** The value code switches on. */
  cause: SkipKind;
  /** The sentence people read. */
  message: string;
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
  /** The machine-speed workload (calibration.ts), timed interleaved with the measurements. */
  calibrator?: Calibrator;
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
  /** It interleaves calibration rounds with each measurement's samples; otherwise its group is bracketed. */
  readonly calibratesEach?: boolean;
  /** Every engine × precision × batch of `work`; a run that fails is skipped with its kind. */
  measure(r: RunnerRequest, ready: Ready, work: readonly Work[]): Promise<EngineGroup>;
}

/** Skips `engines` at `precision` for one cause. */
export const skipAll = (engines: readonly string[], precision: Precision, skip: Skip): SkippedEngine[] =>
  engines.map((engine) => ({ engine, precision, kind: skip.cause, reason: skip.message }));

/** Progress of one budgeted loop, as the stage's live line: `ort fp32 batch 8 timed · 45/100 · 3.2 s of ~7 s`. */
export const progressOf = (r: BenchRequest, label: string): SampleProgress | undefined => {
  const progress = r.log.progress;
  if (!progress) return undefined;
  return (phase, n, elapsedMs, b) =>
    progress(n, b.runs, `${label} ${phase}`, { elapsedMs, estimateMs: estimateMs(b, n, elapsedMs) });
};
