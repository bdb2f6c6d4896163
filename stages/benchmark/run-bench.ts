/**
 * The whole measurement: every requested engine × precision × batch size on the same seeded inputs, each
 * checked against the FP32 onnxruntime reference. An engine this machine cannot run is recorded in
 * `skipped` with the reason; only a broken model or a failing reference run fails the benchmark.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { FloatTensor } from '../../onnx/ort.js';
import { normalFloats } from '../../onnx/random.js';
import type { Exec } from '../../pipeline/exec.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/reason.js';
import type { StageFailure, StageLog } from '../../pipeline/stage.js';
import { benchmarkTrtEngine, runTrtEngineOnce } from './trt-runner.js';
import type { TrtConfig } from '../../trt/config.js';
import { readModelInput, type ModelInput } from '../../trt/model-input.js';
import { probeTrtexec } from '../../trt/probe.js';
import type { BenchConfig, EngineName } from './config.js';
import { judge } from './correctness.js';
import { environment } from './environment.js';
import { exportForTorch } from './graph-export.js';
import { measureOrt, type OrtSettings } from './ort-runner.js';
import type { BenchFile, Measurement, SkippedEngine } from './result.js';
import { latencyStats, throughput } from './stats.js';
import { probeTorch, runTorch, type TorchEnvironment, type TorchMode, type TorchRun } from './torch-runner.js';

export interface BenchArtifacts {
  /** The optimized FP32 ONNX (the reference's graph). */
  model: string;
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
  log: Pick<StageLog, 'info' | 'warn'>;
  signal?: AbortSignal;
}

type Precision = 'fp32' | 'fp16';
const TORCH_MODES: Partial<Record<EngineName, TorchMode>> = { 'torch-eager': 'eager', 'torch-compile': 'compile', 'torch-cudagraph': 'cudagraph' };

/** Every ORT setting to measure: the configured one, or the sweep's levels × intra-op threads. */
export function ortSettings(c: BenchConfig['ort']): OrtSettings[] {
  if (!c.sweep) return [{ level: c.level, intraOpThreads: c.intra_op_threads, interOpThreads: c.inter_op_threads }];
  return c.sweep_levels.flatMap((level) => c.sweep_intra_op_threads.map((t) => ({ level, intraOpThreads: t, interOpThreads: c.inter_op_threads })));
}

const f32 = (bytes: Uint8Array): Float32Array => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));

export async function runBenchmark(r: BenchRequest): Promise<Result<BenchFile, StageFailure>> {
  const c = r.config;
  const { model } = r.artifacts;
  const input = await readModelInput(model);
  if (!input.ok) return fail('bad-input', input.error);
  const modelBytes = await readFile(model);
  const skipped: SkippedEngine[] = [];
  const measurements: Measurement[] = [];
  await mkdir(r.workDir, { recursive: true });

  const usable = (batch: number) => input.value.dynamicBatch || batch === input.value.batch;
  const batches = c.batch_sizes.filter(usable);
  for (const b of c.batch_sizes.filter((b) => !usable(b))) {
    skipped.push({ engine: 'all', reason: `batch ${b}: ${basename(model)} has a fixed batch of ${input.value.batch}; export with model.dynamic_batch: true to measure other batch sizes` });
  }
  const ortBatches = (c.ort.batch_sizes.length ? c.ort.batch_sizes : c.batch_sizes).filter(usable);
  const allBatches = [...new Set([...batches, ...ortBatches])];

  // The same seeded inputs for every engine, and the FP32 reference outputs on them.
  const perItem = input.value.rest.reduce((a, b) => a * b, 1);
  const inputs = new Map<number, FloatTensor>();
  const reference = new Map<number, FloatTensor>();
  for (const b of allBatches) {
    const tensor = { dims: [b, ...input.value.rest], data: normalFloats(b * perItem, c.seed) };
    inputs.set(b, tensor);
    const ref = await measureOrt({
      path: model, artifact: basename(model), precision: 'fp32', batch: b, inputName: input.value.name, input: tensor,
      warmup: 0, runs: 1, settings: { level: 'all', intraOpThreads: 0, interOpThreads: 0 },
    });
    if (!ref.ok) return fail('tool-failed', `the FP32 reference run failed: ${ref.error}`);
    reference.set(b, ref.value.output);
  }
  const check = (m: Measurement, out: Float32Array, dims: readonly number[]) => {
    const ref = reference.get(m.batch);
    if (!ref) throw new Error(`Internal error: no reference for batch ${m.batch}`);
    m.correctness = judge(out, ref.data, dims, m.precision, c.tolerance);
    if (!m.correctness.ok) r.log.warn(`${m.engine} ${m.precision} batch ${m.batch} is outside tolerance: flagged, not ranked`, { relL2: m.correctness.relL2, top1: m.correctness.top1 });
  };

  if (c.engines.includes('ort')) {
    for (const precision of c.precisions) {
      const path = precision === 'fp32' ? model : r.artifacts.fp16;
      if (!path) {
        skipped.push({ engine: 'ort', precision, reason: 'convert:fp16 produced no model.fp16.onnx (skipped or not configured)' });
        continue;
      }
      for (const settings of ortSettings(c.ort)) {
        for (const b of ortBatches) {
          r.log.info(`ort ${precision} batch ${b} level ${settings.level} threads ${settings.intraOpThreads}`);
          const run = await measureOrt({ path, artifact: basename(path), precision, batch: b, inputName: input.value.name, input: inputs.get(b)!, warmup: c.warmup, runs: c.runs, settings });
          if (!run.ok) {
            skipped.push({ engine: 'ort', precision, reason: run.error });
            continue;
          }
          check(run.value.measurement, run.value.output.data, run.value.output.dims);
          measurements.push(run.value.measurement);
        }
      }
    }
  }

  const torchEngines = c.engines.filter((e) => TORCH_MODES[e] !== undefined);
  let torchEnv: TorchEnvironment | undefined;
  if (torchEngines.length > 0) {
    const torch = await measureTorch(r, modelBytes, input.value, batches, inputs, torchEngines);
    torchEnv = torch.environment;
    skipped.push(...torch.skipped);
    for (const { measurement, output, dims } of torch.measured) {
      check(measurement, output, dims);
      measurements.push(measurement);
    }
  }

  if (c.engines.includes('trt')) {
    const trt = await measureTrt(r, input.value, batches, inputs);
    skipped.push(...trt.skipped);
    for (const { measurement, output, dims } of trt.measured) {
      check(measurement, output, dims);
      measurements.push(measurement);
    }
  }

  return ok({
    schema: 1,
    createdAt: new Date().toISOString(),
    model: { name: basename(model), inputShape: [input.value.dynamicBatch ? -1 : input.value.batch ?? -1, ...input.value.rest], sha256: createHash('sha256').update(modelBytes).digest('hex') },
    environment: await environment(r.exec, torchEnv),
    measurements,
    skipped,
  });
}

interface Measured {
  measurement: Measurement;
  output: Float32Array;
  dims: readonly number[];
}

interface EngineGroup {
  measured: Measured[];
  skipped: SkippedEngine[];
  environment?: TorchEnvironment;
}

async function measureTorch(r: BenchRequest, modelBytes: Uint8Array, input: ModelInput, batches: number[], inputs: Map<number, FloatTensor>, engines: EngineName[]): Promise<EngineGroup> {
  const c = r.config;
  const skipAll = (reason: string): EngineGroup => ({ measured: [], skipped: engines.map((engine) => ({ engine, reason })) });
  const found = await probeTorch(c.python, r.exec);
  if (!found.ok) return skipAll(found.error.reason);
  const artifact = basename(r.artifacts.model);
  const exported = exportForTorch(modelBytes, artifact);
  if (!exported.ok) return skipAll(exported.error);
  const dir = join(r.workDir, 'torch');
  await mkdir(dir, { recursive: true });
  const graph = join(dir, 'graph.json');
  const weights = join(dir, 'weights.bin');
  await writeFile(graph, JSON.stringify(exported.value.graph));
  await writeFile(weights, exported.value.weights);
  const inputFiles: Record<string, string> = {};
  for (const b of batches) {
    const file = join(dir, `input-b${b}.f32`);
    const t = inputs.get(b)!;
    await writeFile(file, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    inputFiles[String(b)] = file;
  }
  const runs: TorchRun[] = engines.flatMap((e) => c.precisions.flatMap((precision) => batches.map((batch) => ({
    id: `${TORCH_MODES[e]}-${precision}-b${batch}`, mode: TORCH_MODES[e]!, precision, batch, channelsLast: c.torch.channels_last,
  }))));
  const compileCache = Object.fromEntries(([['fp32', r.artifacts.compiledFp32], ['fp16', r.artifacts.compiledFp16]] as const).filter(([, p]) => p));
  const cached = Object.keys(compileCache).length > 0 ? { compileCache, inductorCacheDir: join(dir, 'inductor') } : {};
  r.log.info(`torch ${found.value.environment.torch} (${found.value.python}): ${runs.length} runs`, { cuda: found.value.environment.cudaAvailable });
  const reply = await runTorch(r.exec, found.value.python, {
    graph, weights, inputs: inputFiles, outputDir: dir, warmup: c.warmup, iterations: c.runs, device: c.torch.device,
    threads: c.torch.threads, tf32: c.torch.tf32, cudnnBenchmark: c.torch.cudnn_benchmark, compileMode: c.torch.compile_mode, runs, ...cached,
  }, c.torch.timeout_s * 1000, r.signal);
  if (!reply.ok) return { ...skipAll(`the torch runner failed: ${reply.error}`), environment: found.value.environment };
  const group: EngineGroup = { measured: [], skipped: [], environment: reply.value.environment };
  for (const run of runs) {
    const res = reply.value.results.find((x) => x.id === run.id);
    const engine = `torch-${run.mode}`;
    if (!res) throw new Error(`Internal error: the torch runner gave no result for ${run.id}`);
    if (!res.ok) {
      if (!group.skipped.some((s) => s.engine === engine && s.precision === run.precision && s.reason === res.reason)) {
        group.skipped.push({ engine, precision: run.precision, reason: res.reason });
      }
      continue;
    }
    const stats = latencyStats(res.samplesMs);
    const settings = { ...res.settings, ...(res.compileMs !== undefined ? { compileMs: Math.round(res.compileMs) } : {}) };
    group.measured.push({
      measurement: {
        engine, precision: run.precision, batch: run.batch,
        artifact: run.precision === 'fp16' ? `${artifact} (weights cast to float16 by torch)` : artifact,
        device: res.device, settings, timing: res.timing, warmup: res.warmup, samplesMs: res.samplesMs, stats,
        throughput: throughput(run.batch, stats),
      },
      output: f32(await readFile(res.output)),
      dims: res.outputDims,
    });
  }
  return group;
}

async function measureTrt(r: BenchRequest, input: ModelInput, batches: number[], inputs: Map<number, FloatTensor>): Promise<EngineGroup> {
  const group: EngineGroup = { measured: [], skipped: [] };
  const engines: [Precision, string | undefined][] = [['fp32', r.artifacts.trtFp32], ['fp16', r.artifacts.trtFp16]];
  const wanted = engines.filter(([p]) => r.config.precisions.includes(p));
  for (const [precision, path] of wanted) {
    if (!path) group.skipped.push({ engine: 'trt', precision, reason: `engine:trt:${precision} produced no engine (no trtexec or no GPU here; see that stage's skip reason)` });
  }
  const present = wanted.filter((e): e is [Precision, string] => e[1] !== undefined);
  if (present.length === 0) return group;
  const tool = await probeTrtexec({ trtexec: r.trt.trtexec, docker: r.trt.docker }, r.exec);
  if (!tool.ok) {
    for (const [precision] of present) group.skipped.push({ engine: 'trt', precision, reason: tool.error.reason });
    return group;
  }
  for (const [precision, enginePath] of present) {
    for (const batch of batches) {
      const common = { tool: tool.value, enginePath, input, batch, workDir: r.workDir, exec: r.exec, ...(r.signal ? { signal: r.signal } : {}) };
      const bench = await benchmarkTrtEngine({ ...common, precision, settings: r.trt.bench });
      if (!bench.ok) {
        group.skipped.push({ engine: 'trt', precision, reason: `batch ${batch}: ${bench.error.message}` });
        continue;
      }
      const outputs = await runTrtEngineOnce({ ...common, data: inputs.get(batch)!.data });
      const first = outputs.ok ? outputs.value[0] : undefined;
      if (!first) {
        group.skipped.push({ engine: 'trt', precision, reason: `batch ${batch}: no outputs to check: ${outputs.ok ? 'trtexec exported none' : outputs.error.message}` });
        continue;
      }
      group.measured.push({ measurement: bench.value.measurement, output: Float32Array.from(first.values), dims: first.dims });
    }
  }
  return group;
}
