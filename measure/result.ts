/**
 * The shape of `bench.json`: what every engine's measurement looks like, whoever took it (onnxruntime-node
 * in-process, the Python torch runner, trtexec). The report reads only this.
 */
import type { InputSpec } from './feeds.js';
import type { MachineLoad } from './load.js';
import type { Noise } from './noise.js';
import type { Sampling } from './sampling.js';
import type { Recommendation } from './verdict.js';

/** Latency statistics, computed by measure/trtexec-stats.ts the way trtexec computes its summary. */
import type { LatencyStats } from './trtexec-stats.js';
import type { Precision } from '../onnx/precision.js';
import type { Skip } from './kit.js';

export type { LatencyStats };

/** Outputs of an engine against the correctness reference (BenchFile.reference), on the same inputs. */
export interface Correctness {
  maxAbs: number;
  relL2: number;
  /** Share of rows whose argmax agrees; only for an output that is a [batch, classes] score vector. */
  top1?: number;
  /** The reference output's RMS is below onnx/compare's SCALE_FLOOR: judged by absolute error, not relative L2. */
  zeroReference?: boolean;
  /** Within the tolerance for its precision; an engine that is not is flagged, never ranked. */
  ok: boolean;
  tolerance: { relL2: number; top1: number };
  /** What the output means for the model's job (task.ts); absent where the output has no decision to count. */
  task?: TaskMetric;
}

/**
 * A task metric: `value` in [0, 1], higher is better, over `samples` decisions (rows, or time steps). Against
 * the check data's labels.json at the batch it was recorded at (`top1-labels`, `decision-labels`,
 * `exact-text`), else against the reference's decisions (`top1-agreement`, `per-position-agreement`,
 * `decision-agreement`).
 */
export interface TaskMetric {
  metric: string;
  value: number;
  samples: number;
}

export interface Measurement {
  /** e.g. `ort`, `torch-eager`, `torch-compile`, `torch-cudagraph`, `trt`. */
  engine: string;
  precision: Precision;
  batch: number;
  /** Which ONNX graph or engine file was run: `model.opt.onnx`, `model.fp16.onnx`, `model.fp32.engine`. */
  artifact: string;
  /** `cpu`, or the GPU's name. */
  device: string;
  /** Engine settings that change the figures (threads, optimization level, CUDA graphs, channels-last...). */
  settings: Record<string, string | number | boolean>;
  /** Where each sample's clock starts and stops, e.g. `host wall clock around session.run`, `CUDA events`. */
  timing: string;
  warmup: number;
  /** How many timed samples were taken and what stopped the loop (bench.runs, bench.max_seconds, trtexec). */
  sampling?: Sampling;
  /** Per-run latency in ms, in the order measured (the report plots them). */
  samplesMs: number[];
  stats: LatencyStats;
  /** Items (images) per second: batch × 1000 / mean latency, unless the engine reports its own. */
  throughput: number;
  correctness?: Correctness;
  /** The machine's load and speed while measuring (load.ts); absent from bench.json files written before. */
  load?: MachineLoad;
  /** Spread, drift and whether it is too noisy to rank (noise.ts states the rule). */
  noise?: Noise;
}

/** Why an engine was not measured, as a value; the sentence beside it is what people read. */
export type SkipKind =
  /** Left out by the command line (`--precision`). */
  | 'excluded'
  /** The stage that makes its model or engine produced none (the manifest says why). */
  | 'no-model'
  /** Its tool is missing or too old here (PyTorch, torch.compile, trtexec). */
  | 'tool-unavailable'
  /** It needs an NVIDIA GPU (CUDA) this machine lacks. */
  | 'no-gpu'
  /** The model uses operators (or operator attributes) the engine's runner does not cover. */
  | 'unsupported-operator'
  /** The runner cannot take this model at all (an element type, external data, no float output). */
  | 'unsupported-model'
  /** The model's batch is fixed and this batch size is another. */
  | 'fixed-batch'
  /** The benchmark could not make this batch's inputs (a tensor over limits.tensor_mb, check data not fitting). */
  | 'no-inputs'
  | 'out-of-memory'
  /** It started and failed (a load, a compile, a trtexec run). */
  | 'engine-failed';

/** An engine that was asked for and did not run: `engine` is `all` for what no engine ran. */
export interface SkippedEngine {
  engine: string;
  precision?: Precision;
  kind: SkipKind;
  reason: string;
}

export interface Environment {
  cpu: { model: string; cores: number };
  gpu?: { name: string; driver?: string; computeCapability?: string };
  os: string;
  node: string;
  versions: Record<string, string>;
}

export interface BenchFile {
  schema: 2;
  createdAt: string;
  /** The model measured and every input it was fed, `N` standing for the batch. */
  model: {
    name: string;
    inputs: InputSpec[];
    sha256: string;
    /** The user's model as they gave it (absent for the built MobileNetV2): name, path, sha256 of the file. */
    source?: { name: string; path: string; sha256: string };
  };
  /** The sampling limits every measurement ran under (bench.runs, bench.max_seconds, warm-up alike). */
  budget: { runs: number; maxSeconds: number; warmup: number; warmupMaxSeconds: number };
  environment: Environment;
  /** What every engine's outputs were judged against; absent from bench.json files written before it was recorded. */
  reference?: ReferenceInfo;
  measurements: Measurement[];
  /** The fixed workload that says how fast the machine was (calibration.ts); its rounds are in each `load`. */
  calibration?: { workload: string; threads: number };
  skipped: SkippedEngine[];
  /** Which engine and precision to ship per batch size, and why (verdict.ts); absent from older files. */
  recommendation?: Recommendation;
  /** Present when the run was compared with an earlier bench.json (`--baseline FILE`). */
  baseline?: BaselineVerdict;
}

/**
 * The correctness reference (reference.ts): the unoptimized model (the import or build stage's output) on
 * onnxruntime with graph optimization disabled and one thread, none of the engines measured.
 */
export interface ReferenceInfo {
  /** The file's name, e.g. `model.onnx`, and the sha256 of its bytes. */
  model: string;
  sha256: string;
  /** e.g. `onnxruntime-node 1.30.0 (CPU)`. */
  runtime: string;
  graphOptimizationLevel: 'disabled';
  intraOpThreads: 1;
  interOpThreads: 1;
  /** Why no engine was judged: the model's own output is not finite (NaN or ±Inf) on these inputs. */
  notFinite?: string;
}

/** The regression gate's verdict (stages/benchmark/baseline.ts states the rule). */
export interface BaselineVerdict {
  file: string;
  ok: boolean;
  /** One line per measurement slower than its allowance (confirmed by measuring again), or no longer correct. */
  regressions: string[];
  compared: number;
  /** Baseline measurements this run did not make. */
  missing: string[];
  /** Every ratio the gate judged (baseline.ts), the allowed one, and the re-measurements' ratios (confirm.ts). */
  judged?: { key: string; ratio: number; allowed: number; again?: number[] }[];
}

/** Skips `engines` at `precision` for one cause. */
export const skipAll = (engines: readonly string[], precision: Precision, skip: Skip): SkippedEngine[] =>
  engines.map((engine) => ({ engine, precision, kind: skip.cause, reason: skip.message }));
