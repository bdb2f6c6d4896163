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
import { probeTorch, runTorch, type TorchEnvironment, type TorchInputFile, type TorchMode, type TorchRun } from './torch-runner.js';

const TORCH_MODES: Partial<Record<EngineName, TorchMode>> = { 'torch-eager': 'eager', 'torch-compile': 'compile', 'torch-cudagraph': 'cudagraph' };

const f32 = (bytes: Uint8Array): Float32Array => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
const bytesOf = (t: AnyTensor): Uint8Array => {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

async function writeInputs(dir: string, inputs: BenchInputs, batches: number[]): Promise<Result<Record<string, TorchInputFile[]>, string>> {
  const files: Record<string, TorchInputFile[]> = {};
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
    if (p['event'] === 'compile-start') r.log.info(`${label}: torch.compile compiling (the first call)…`);
    else if (p['event'] === 'compile-done') r.log.info(`${label}: torch.compile compiled in ${formatMs(Number(p['ms']))}`);
    else if (typeof p['n'] === 'number' && typeof p['elapsedMs'] === 'number') {
      const b = p['phase'] === 'warm-up' ? warmupBudget(c) : timedBudget(c);
      r.log.progress?.(p['n'], b.runs, `${label} ${String(p['phase'])}`, { elapsedMs: p['elapsedMs'], estimateMs: estimateMs(b, p['n'], p['elapsedMs']) });
    }
  };
}

export async function measureTorch(r: BenchRequest, modelBytes: Uint8Array, inputs: BenchInputs, batches: number[], precisions: BenchConfig['precisions']): Promise<EngineGroup & { environment?: TorchEnvironment }> {
  const c = r.config;
  const engines = c.engines.filter((e) => TORCH_MODES[e] !== undefined);
  if (engines.length === 0) return { measured: [], skipped: [] };
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
  const runs: TorchRun[] = engines.flatMap((e) => precisions.flatMap((precision) => batches.map((batch) => ({
    id: `${TORCH_MODES[e]}-${precision}-b${batch}`, mode: TORCH_MODES[e]!, precision, batch, channelsLast: c.torch.channels_last,
  }))));
  const files = await writeInputs(dir, inputs, batches);
  if (!files.ok) return skipAll(files.error);
  const threads = c.torch.threads || availableParallelism();
  r.log.info(`torch ${found.value.environment.torch} (${found.value.python}): ${runs.length} runs, ${threads} threads`, { cuda: found.value.environment.cudaAvailable });
  const reply = await runTorch(r.exec, found.value.python, {
    graph, weights, inputs: files.value, outputDir: dir,
    warmup: c.warmup, warmupMaxSeconds: c.warmup_max_seconds, iterations: c.runs, maxSeconds: c.max_seconds, minSamples: timedBudget(c).minSamples,
    device: c.torch.device, threads, tf32: c.torch.tf32, cudnnBenchmark: c.torch.cudnn_benchmark, compileMode: c.torch.compile_mode, runs,
  }, c.torch.timeout_s * 1000, r.signal, onProgress(r, runs));
  const coverage = !reply.ok && reply.error.startsWith('the torch runner does not cover');
  if (!reply.ok) return { ...skipAll(coverage ? reply.error : `the torch runner failed: ${reply.error}`), environment: found.value.environment };
  const group: EngineGroup & { environment?: TorchEnvironment } = { measured: [], skipped: [], environment: reply.value.environment };
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
    r.log.info(`${engine} ${run.precision} batch ${run.batch}: p50 ${stats.p50.toPrecision(3)} ms, ${describeSampling(res.sampling, c.max_seconds)}`);
    group.measured.push({
      measurement: {
        engine, precision: run.precision, batch: run.batch,
        artifact: run.precision === 'fp16' ? `${artifact} (weights cast to float16 by torch)` : artifact,
        device: res.device, settings, timing: res.timing, warmup: res.warmup, sampling: res.sampling, samplesMs: res.samplesMs, stats,
        throughput: throughput(run.batch, stats),
      },
      output: f32(await readFile(res.output)),
      dims: res.outputDims,
    });
  }
  return group;
}
