/**
 * What every part of the GPU benchmark (bench/gpu.ts) shares: the options, the model files made by the
 * project's own build, optimize and convert:fp16 code (or from --raw), and one seeded batch-1 input.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { normalFloats } from '../../onnx/random.js';
import { runPasses } from '../../onnx/rewrite/pass-manager.js';
import { decodeModel, encodeModel, writeModelFile } from '../../onnx/serde.js';
import type { BenchConfig } from '../../measure/config.js';
import { benchConfig } from '../../stages/benchmark/kits.js';
import { defaults as modelDefaults } from '../../stages/build/config.js';
import { buildMobileNetV2 } from '../../stages/build/mobilenetv2.js';
import { DELICATE_OPS } from '../../stages/convert-fp16/config.js';
import { convertFloat16 } from '../../stages/convert-fp16/convert.js';
import { defaults as optimizeDefaults } from '../../stages/optimize/config.js';
import { passesByName } from '../../stages/optimize/passes/index.js';
import { readTrtInputs } from '../../trt/model-input.js';

export interface GpuOptions {
  raw?: string;
  width: string;
  size: string;
  classes: string;
  out: string;
  runs: string;
  warmup: string;
  batches: string;
  'ort-batches': string;
  python: string;
  'no-compile': boolean;
  pairs: string;
  work: string;
}

export interface GpuRun {
  options: GpuOptions;
  out: string;
  work: string;
  paths: { raw: string; opt: string; fp16: string };
  /** The model's one input, [batch, ...rest] (MobileNetV2 has one). */
  input: { name: string; rest: number[] };
  /** Seeded normals for that input at batch 1. */
  x: Float32Array;
  log: { info(m: string): void; warn(m: string): void };
  elapsed(): string;
  /** The bench config section with --warmup, --runs and --python, and `over` on top. */
  config(over: Partial<BenchConfig>): BenchConfig;
}

export const ints = (s: string) => s.split(',').map(Number);

/** Builds (or reads) the raw model, optimizes and converts it, writes the three files into --work. */
export async function setUp(options: GpuOptions): Promise<GpuRun> {
  const t0 = performance.now();
  const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;
  const log = {
    info: (m: string) => console.error(`[bench] ${m}`),
    warn: (m: string) => console.error(`[bench] WARN ${m}`),
  };
  await mkdir(options.out, { recursive: true });
  const rawBytes = options.raw ? await readFile(options.raw) : encodeModel(buildMobileNetV2(modelOptions(options)));
  const raw = decodeModel(rawBytes);
  if (!raw.ok) throw new Error(`cannot read the raw model: ${raw.error}`);
  const opt = runPasses(raw.value, await passesByName(optimizeDefaults.passes)).model;
  const fp16 = convertFloat16(opt, { keepFp32: [...DELICATE_OPS], keepIoFp32: true });
  if (!fp16.ok) throw new Error(`float16 conversion failed: ${fp16.error}`);
  const work = options.work;
  await mkdir(work, { recursive: true });
  const paths = {
    raw: join(work, 'model.onnx'),
    opt: join(work, 'model.opt.onnx'),
    fp16: join(work, 'model.fp16.onnx'),
  };
  await writeFile(paths.raw, rawBytes);
  await writeModelFile(paths.opt, opt);
  await writeModelFile(paths.fp16, fp16.value.model);
  const nodes = [raw.value, opt, fp16.value.model].map((m) => m.graph.nodes.length);
  log.info(`nodes: raw ${nodes[0]}, optimized ${nodes[1]}, fp16 ${nodes[2]} (${elapsed()})`);
  const config = (over: Partial<BenchConfig>): BenchConfig =>
    benchConfig({
      bench: { warmup: Number(options.warmup), runs: Number(options.runs), python: options.python, ...over },
    });
  const inputs = await readTrtInputs(paths.opt, {});
  if (!inputs.ok) throw new Error(inputs.error);
  const first = inputs.value.inputs[0]!;
  const input = { name: first.name, rest: first.dims.slice(1) as number[] };
  const x = normalFloats(
    input.rest.reduce((p, d) => p * d, 1),
    config({}).seed,
  );
  return { options, out: options.out, work, paths, input, x, log, elapsed, config };
}

const modelOptions = (o: GpuOptions) => ({
  ...modelDefaults,
  width_mult: Number(o.width),
  input_size: Number(o.size),
  num_classes: Number(o.classes),
  dynamic_batch: true,
});
