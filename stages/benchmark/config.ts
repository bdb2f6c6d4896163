/**
 * The `bench` section: which engines, precisions and batch sizes are measured, how many runs, and the
 * tolerances that decide whether an engine's outputs are right enough to be ranked.
 *
 * Tolerances, against the FP32 onnxruntime reference on the same seeded inputs:
 * - FP32, relative L2 ≤ 1e-4: engines differ only in summation order and convolution algorithm (Winograd,
 *   implicit GEMM, FFT); over MobileNetV2's ~50 layers that moves the logits by 1e-7 to 1e-5 relative L2.
 *   1e-4 leaves an order of magnitude for that and still catches a wrong operator (1e-2 and worse). TF32
 *   convolutions (10-bit mantissa) land near 1e-3 and are rejected as FP32 on purpose: turn
 *   bench.torch.tf32 on only knowing that. Top-1 ≥ 0.99: a near-tie may flip one row in a hundred.
 * - FP16, relative L2 ≤ 1e-2 and top-1 ≥ 0.9: float16 keeps 11 significant bits (2^-11 ≈ 4.9e-4 per
 *   rounding); accumulated over the network the logits move by 1e-3 to 5e-3, so 1e-2 passes a sound
 *   conversion and catches a broken one (a clamped weight or a missing cast shows at 1e-1). Top-1 may
 *   flip on the close calls that random inputs produce; 0.9 still catches a broken engine, which agrees
 *   at chance level (1/classes).
 */
import { configSection } from '../../pipeline/section.js';

export const ENGINES = ['ort', 'torch-eager', 'torch-compile', 'torch-cudagraph', 'trt'] as const;
export type EngineName = (typeof ENGINES)[number];
export const LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
export type Level = (typeof LEVELS)[number];

export interface Tolerance {
  rel_l2: number;
  top1: number;
}

export interface BenchConfig {
  warmup: number;
  runs: number;
  /** A measurement stops at `runs` samples or after this many seconds, with at least 10 samples. */
  max_seconds: number;
  /** Warm-up stops at `warmup` runs or after this many seconds, with at least one run. */
  warmup_max_seconds: number;
  batch_sizes: number[];
  engines: EngineName[];
  precisions: ('fp32' | 'fp16')[];
  /** Seed of the standard-normal inputs every engine gets. */
  seed: number;
  /** A Python with torch; empty: the first of python3, /usr/bin/python3 that imports torch. */
  python: string;
  ort: {
    level: Level;
    /** 0 lets onnxruntime choose. */
    intra_op_threads: number;
    inter_op_threads: number;
    /** Measure every level × thread setting below instead of the one above. */
    sweep: boolean;
    sweep_levels: Level[];
    sweep_intra_op_threads: number[];
    /** Batch sizes for ORT only (a CPU engine on a GPU machine); empty: bench.batch_sizes. */
    batch_sizes: number[];
  };
  torch: {
    device: 'auto' | 'cpu' | 'cuda';
    /** Intra-op threads; 0: one per core of this machine (Debian's torch would otherwise run one). */
    threads: number;
    channels_last: boolean;
    tf32: boolean;
    cudnn_benchmark: boolean;
    /** torch.compile's mode; empty: its default. */
    compile_mode: string;
    timeout_s: number;
  };
  tolerance: { fp32: Tolerance; fp16: Tolerance };
}

const int = (minimum: number, def: number) => ({ type: 'integer', minimum, default: def }) as const;
const tolerance = (relL2: number, top1: number) =>
  ({
    type: 'object',
    additionalProperties: false,
    default: {},
    properties: {
      rel_l2: { type: 'number', exclusiveMinimum: 0, default: relL2 },
      top1: { type: 'number', minimum: 0, maximum: 1, default: top1 },
    },
  }) as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    warmup: int(0, 10),
    runs: int(1, 100),
    max_seconds: { type: 'number', exclusiveMinimum: 0, default: 10 },
    warmup_max_seconds: { type: 'number', minimum: 0, default: 2 },
    batch_sizes: {
      type: 'array',
      items: { type: 'integer', minimum: 1 },
      minItems: 1,
      uniqueItems: true,
      default: [1, 8],
    },
    engines: {
      type: 'array',
      items: { enum: [...ENGINES] },
      uniqueItems: true,
      default: ['ort', 'torch-eager', 'torch-compile', 'trt'],
    },
    precisions: {
      type: 'array',
      items: { enum: ['fp32', 'fp16'] },
      minItems: 1,
      uniqueItems: true,
      default: ['fp32', 'fp16'],
    },
    seed: int(0, 0),
    python: { type: 'string', default: '' },
    ort: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        level: { enum: [...LEVELS], default: 'all' },
        intra_op_threads: int(0, 0),
        inter_op_threads: int(0, 0),
        sweep: { type: 'boolean', default: false },
        sweep_levels: {
          type: 'array',
          items: { enum: [...LEVELS] },
          minItems: 1,
          uniqueItems: true,
          default: [...LEVELS],
        },
        sweep_intra_op_threads: {
          type: 'array',
          items: { type: 'integer', minimum: 0 },
          minItems: 1,
          uniqueItems: true,
          default: [1, 0],
        },
        batch_sizes: { type: 'array', items: { type: 'integer', minimum: 1 }, uniqueItems: true, default: [] },
      },
    },
    torch: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        device: { enum: ['auto', 'cpu', 'cuda'], default: 'auto' },
        threads: int(0, 0),
        channels_last: { type: 'boolean', default: true },
        tf32: { type: 'boolean', default: false },
        cudnn_benchmark: { type: 'boolean', default: true },
        compile_mode: { type: 'string', default: '' },
        timeout_s: int(1, 1800),
      },
    },
    tolerance: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: { fp32: tolerance(1e-4, 0.99), fp16: tolerance(1e-2, 0.9) },
    },
  },
} as const;

export const defaults: BenchConfig = {
  warmup: 10,
  runs: 100,
  max_seconds: 10,
  warmup_max_seconds: 2,
  batch_sizes: [1, 8],
  engines: ['ort', 'torch-eager', 'torch-compile', 'trt'],
  precisions: ['fp32', 'fp16'],
  seed: 0,
  python: '',
  ort: {
    level: 'all',
    intra_op_threads: 0,
    inter_op_threads: 0,
    sweep: false,
    sweep_levels: [...LEVELS],
    sweep_intra_op_threads: [1, 0],
    batch_sizes: [],
  },
  torch: {
    device: 'auto',
    threads: 0,
    channels_last: true,
    tf32: false,
    cudnn_benchmark: true,
    compile_mode: '',
    timeout_s: 1800,
  },
  tolerance: { fp32: { rel_l2: 1e-4, top1: 0.99 }, fp16: { rel_l2: 1e-2, top1: 0.9 } },
};

export const benchConfig = (root: Readonly<Record<string, unknown>>): BenchConfig =>
  configSection(root, 'bench', defaults);
