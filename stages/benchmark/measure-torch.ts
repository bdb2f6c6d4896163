/**
 * PyTorch running the optimized graph (torch_runner.py) in each requested mode: eager, torch.compile, CUDA
 * graphs. One runner process measures every run; its progress lines feed the stage's live line, and
 * torch.compile's compilation is announced before it starts and timed.
 */
import { availableParallelism } from 'node:os';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { AnyTensor } from '../../onnx/ort.js';
import { formatMs } from '../../pipeline/log.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { BenchConfig, EngineName } from './config.js';
import type { BenchInputs } from './feeds.js';
import { exportForTorch } from './graph-export.js';
import type { BenchRequest, EngineGroup } from './run-bench.js';
import { describeSampling, estimateMs, timedBudget, warmupBudget } from './sampling.js';
import { latencyStats, throughput } from './stats.js';
import {
  probeTorch,
  runTorch,
  type TorchEnvironment,
  type TorchInputFile,
  type TorchMode,
  type TorchReply,
  type TorchRequest,
  type TorchRun,
} from './torch-runner.js';

const TORCH_MODES: Partial<Record<EngineName, TorchMode>> = {
  'torch-eager': 'eager',
  'torch-compile': 'compile',
  'torch-cudagraph': 'cudagraph',
};

type TorchGroup = EngineGroup & { environment?: TorchEnvironment };

const f32 = (b: Uint8Array): Float32Array =>
  new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
const bytesOf = (t: AnyTensor): Uint8Array => {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

type InputFiles = Record<string, TorchInputFile[]>;

async function writeInputs(dir: string, inputs: BenchInputs, batches: number[]): Promise<Result<InputFiles, string>> {
  const files: InputFiles = {};
  for (const b of batches) {
    files[String(b)] = [];
    const feeds = inputs.feeds(b);
    if (!feeds.ok) return feeds;
    for (const [i, [name, t]] of Object.entries(feeds.value).entries()) {
      const file = join(dir, `input-b${b}-${i}.bin`);
      await writeFile(file, bytesOf(t));
      files[String(b)]!.push({ name, dtype: t.type, dims: [...t.dims], file });
    }
  }
  return ok(files);
}

/** Turns the runner's progress lines into the stage's live line and log lines. */
function onProgress(r: BenchRequest, runs: TorchRun[]) {
  const c = r.config;
  return (p: Record<string, unknown>) => {
    const run = runs.find((x) => x.id === p['id']);
    if (!run) return;
    const label = `torch-${run.mode} ${run.precision} batch ${run.batch}`;
    const { n, elapsedMs } = p;
    if (p['event'] === 'compile-start') r.log.info(`${label}: torch.compile compiling (the first call)…`);
    else if (p['event'] === 'compile-done')
      r.log.info(`${label}: torch.compile compiled in ${formatMs(Number(p['ms']))}`);
    else if (typeof n === 'number' && typeof elapsedMs === 'number') {
      const b = p['phase'] === 'warm-up' ? warmupBudget(c) : timedBudget(c);
      r.log.progress?.(n, b.runs, `${label} ${String(p['phase'])}`, {
        elapsedMs,
        estimateMs: estimateMs(b, n, elapsedMs),
      });
    }
  };
}

/** One run per engine × precision × batch, all answered by one runner process. */
function torchRuns(
  engines: EngineName[],
  precisions: BenchConfig['precisions'],
  batches: number[],
  channelsLast: boolean,
): TorchRun[] {
  return engines.flatMap((e) =>
    precisions.flatMap((precision) =>
      batches.map((batch): TorchRun => {
        const mode = TORCH_MODES[e]!;
        return { id: `${mode}-${precision}-b${batch}`, mode, precision, batch, channelsLast };
      }),
    ),
  );
}

/** The runner's request: where the graph and inputs are, and the sampling budget and engine settings. */
function torchRequest(
  c: BenchConfig,
  files: Pick<TorchRequest, 'graph' | 'weights' | 'inputs' | 'outputDir'>,
  threads: number,
  runs: TorchRun[],
): TorchRequest {
  return {
    ...files,
    warmup: c.warmup,
    warmupMaxSeconds: c.warmup_max_seconds,
    iterations: c.runs,
    maxSeconds: c.max_seconds,
    minSamples: timedBudget(c).minSamples,
    device: c.torch.device,
    threads,
    tf32: c.torch.tf32,
    cudnnBenchmark: c.torch.cudnn_benchmark,
    compileMode: c.torch.compile_mode,
    runs,
  };
}

export async function measureTorch(
  r: BenchRequest,
  modelBytes: Uint8Array,
  inputs: BenchInputs,
  batches: number[],
  precisions: BenchConfig['precisions'],
): Promise<TorchGroup> {
  const c = r.config;
  const engines = c.engines.filter((e) => TORCH_MODES[e] !== undefined);
  if (engines.length === 0) return { measured: [], skipped: [] };
  const skipAll = (reason: string): EngineGroup => ({
    measured: [],
    skipped: engines.map((engine) => ({ engine, reason })),
  });
  r.log.progress?.(0, 0, 'finding a Python with torch and starting the torch runner');
  const found = await probeTorch(c.python, r.exec);
  if (!found.ok) return skipAll(found.error.reason);
  const exported = exportForTorch(modelBytes, basename(r.artifacts.model));
  if (!exported.ok) return skipAll(exported.error);
  const dir = join(r.workDir, 'torch');
  await mkdir(dir, { recursive: true });
  const [graph, weights] = [join(dir, 'graph.json'), join(dir, 'weights.bin')];
  await writeFile(graph, JSON.stringify(exported.value.graph));
  await writeFile(weights, exported.value.weights);
  const files = await writeInputs(dir, inputs, batches);
  if (!files.ok) return skipAll(files.error);
  const runs = torchRuns(engines, precisions, batches, c.torch.channels_last);
  const threads = c.torch.threads || availableParallelism();
  const env = found.value.environment;
  r.log.info(`torch ${env.torch} (${found.value.python}): ${runs.length} runs, ${threads} threads`, {
    cuda: env.cudaAvailable,
  });
  const compiled = [
    ['fp32', r.artifacts.compiledFp32],
    ['fp16', r.artifacts.compiledFp16],
  ] as const;
  const compileCache = Object.fromEntries(compiled.filter(([, p]) => p));
  const cached = Object.keys(compileCache).length > 0 ? { compileCache, inductorCacheDir: join(dir, 'inductor') } : {};
  const request = {
    ...torchRequest(c, { graph, weights, inputs: files.value, outputDir: dir }, threads, runs),
    ...cached,
  };
  const timeoutMs = c.torch.timeout_s * 1000;
  const reply = await runTorch(r.exec, found.value.python, request, timeoutMs, r.signal, onProgress(r, runs));
  if (!reply.ok) {
    const coverage = reply.error.startsWith('the torch runner does not cover');
    return { ...skipAll(coverage ? reply.error : `the torch runner failed: ${reply.error}`), environment: env };
  }
  return { ...(await collect(r, runs, reply.value)), environment: reply.value.environment };
}

/** The runner's results as measurements, each with its output for the correctness check. */
async function collect(r: BenchRequest, runs: TorchRun[], reply: TorchReply): Promise<EngineGroup> {
  const group: EngineGroup = { measured: [], skipped: [] };
  const artifact = basename(r.artifacts.model);
  for (const run of runs) {
    const res = reply.results.find((x) => x.id === run.id);
    const engine = `torch-${run.mode}`;
    if (!res) throw new Error(`Internal error: the torch runner gave no result for ${run.id}`);
    if (!res.ok) {
      const seen = group.skipped.some(
        (s) => s.engine === engine && s.precision === run.precision && s.reason === res.reason,
      );
      if (!seen) group.skipped.push({ engine, precision: run.precision, reason: res.reason });
      continue;
    }
    const stats = latencyStats(res.samplesMs);
    const settings = {
      ...res.settings,
      ...(res.compileMs !== undefined ? { compileMs: Math.round(res.compileMs) } : {}),
    };
    const label = `${engine} ${run.precision} batch ${run.batch}`;
    r.log.info(`${label}: p50 ${stats.p50.toPrecision(3)} ms, ${describeSampling(res.sampling, r.config.max_seconds)}`);
    group.measured.push({
      measurement: {
        engine,
        precision: run.precision,
        batch: run.batch,
        artifact: run.precision === 'fp16' ? `${artifact} (weights cast to float16 by torch)` : artifact,
        device: res.device,
        settings,
        timing: res.timing,
        warmup: res.warmup,
        sampling: res.sampling,
        samplesMs: res.samplesMs,
        stats,
        throughput: throughput(run.batch, stats),
      },
      output: f32(await readFile(res.output)),
      dims: res.outputDims,
    });
  }
  return group;
}
