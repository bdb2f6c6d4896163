/**
 * The `bench` section: which engines, precisions and batch sizes are measured, how many runs, and the
 * tolerances that decide whether an engine's outputs are right enough to be ranked.
 *
 * Tolerances, against the correctness reference (the unoptimized model on onnxruntime, optimizations disabled,
 * one thread; reference.ts) on the same seeded inputs:
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
 * - INT8, relative L2 ≤ 5e-2 and top-1 ≥ 0.8: 8 bits per value move a CNN's logits by 1e-2 to 3e-2 (the
 *   budget quantize:int8 itself holds, quantize.tolerance); a broken scale or a collapsed channel shows at
 *   1e-1 and worse. Top-1 flips more often than in float16 on random inputs' near-ties.
 */
import { Type, type IntegerOptions, type Static } from '@sinclair/typebox';
import { configSection, Enum, Section } from '../pipeline/config/section.js';
import { PRECISIONS } from '../onnx/precision.js';
import type { EngineName, EngineTable } from './kit.js';

export const LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;

const int = (minimum: number, def: number, options: IntegerOptions = {}) =>
  Type.Integer({ minimum, default: def, ...options });
const tolerance = (relL2: number, top1: number) =>
  Section({
    rel_l2: Type.Number({ exclusiveMinimum: 0, default: relL2 }),
    top1: Type.Number({ minimum: 0, maximum: 1, default: top1 }),
  });

const ort = Section({
  level: Enum(LEVELS, { default: 'all' }),
  intra_op_threads: int(0, 0, { description: '0 lets onnxruntime choose.' }),
  inter_op_threads: int(0, 0),
  sweep: Type.Boolean({
    default: false,
    description: 'Measure every level × thread setting below instead of the one above.',
  }),
  sweep_levels: Type.Array(Enum(LEVELS), { minItems: 1, uniqueItems: true, default: [...LEVELS] }),
  sweep_intra_op_threads: Type.Array(Type.Integer({ minimum: 0 }), {
    minItems: 1,
    uniqueItems: true,
    default: [1, 0],
  }),
  batch_sizes: Type.Array(Type.Integer({ minimum: 1 }), {
    uniqueItems: true,
    default: [],
    description: 'Batch sizes for ORT only (a CPU engine on a GPU machine); empty: bench.batch_sizes.',
  }),
});

const torch = Section({
  device: Enum(['auto', 'cpu', 'cuda'], { default: 'auto' }),
  threads: int(0, 0, {
    description: "Intra-op threads; 0: one per core of this machine (Debian's torch would otherwise run one).",
  }),
  channels_last: Type.Boolean({ default: true }),
  tf32: Type.Boolean({ default: false }),
  cudnn_benchmark: Type.Boolean({ default: true }),
  compile_mode: Type.String({ default: '', description: "torch.compile's mode; empty: its default." }),
  compile_batch_sizes: Type.Array(Type.Integer({ minimum: 1 }), {
    uniqueItems: true,
    default: [],
    description: 'The batch sizes torch.compile compiles (one compile each) and is measured at; empty: batch_sizes.',
  }),
  timeout_s: int(1, 1800),
});

/**
 * The section's schema for the kits' engines (`engines`, composed in stages/benchmark/kits.ts `BENCH_SCHEMA`: this
 * module sits below the kits and cannot list them): bench.engines is one of their names, its default the ones
 * listed by default.
 */
export const benchSchema = (engines: EngineTable) => {
  const names = Object.keys(engines) as EngineName[];
  return Section({
    warmup: int(0, 10),
    runs: int(1, 100),
    max_seconds: Type.Number({
      exclusiveMinimum: 0,
      default: 10,
      description: 'A measurement stops at `runs` samples or after this many seconds, with at least 10 samples.',
    }),
    warmup_max_seconds: Type.Number({
      minimum: 0,
      default: 2,
      description: 'Warm-up stops at `warmup` runs or after this many seconds, with at least one run.',
    }),
    batch_sizes: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, uniqueItems: true, default: [1, 8] }),
    engines: Type.Array(Enum(names), { uniqueItems: true, default: names.filter((e) => engines[e]) }),
    precisions: Type.Array(Enum(PRECISIONS), { minItems: 1, uniqueItems: true, default: [...PRECISIONS] }),
    seed: int(0, 0, { description: 'Seed of the standard-normal inputs every engine gets.' }),
    python: Type.String({
      default: '',
      description:
        "A Python with torch; empty: the first that imports torch of the project's .venv/bin/python3 and python3.",
    }),
    ort,
    torch,
    // INT8 (per-tensor activations, per-channel weights) moves MobileNetV2's output by about 1.5e-2 relative L2
    // (shared/reference/precision.md); 5e-2 passes a sound quantization and catches a broken scale or layout.
    tolerance: Section({ fp32: tolerance(1e-4, 0.99), fp16: tolerance(1e-2, 0.9), int8: tolerance(5e-2, 0.8) }),
  });
};

export type BenchConfig = Static<ReturnType<typeof benchSchema>>;

/** Below the kits no engine is known: bench.engines is filled in here only where the config says. */
const sectionSchema = benchSchema({});

/** The batch sizes torch.compile compiles and is measured at: `bench.torch.compile_batch_sizes`, else all. */
export const compileBatches = (b: BenchConfig): number[] =>
  b.torch.compile_batch_sizes.length > 0 ? b.torch.compile_batch_sizes : b.batch_sizes;

/**
 * The section with its defaults filled in. A kit reads it with `schema` left out, where bench.engines defaults to
 * none: a kit whose stages decide by bench.engines fills in its own engines' defaults (torch/engines.ts
 * `torchBench`), so a stage's config read from a bare run config agrees with the registry's; a section built by
 * hand (tests, bench/) takes stages/benchmark/kits.ts `benchConfig`, whose schema knows every kit's engines.
 */
export const benchSection = (
  root: Readonly<Record<string, unknown>>,
  schema: ReturnType<typeof benchSchema> = sectionSchema,
): BenchConfig => configSection(root, 'bench', schema);
