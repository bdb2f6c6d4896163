/**
 * PyTorch running the optimized graph (torch_runner.py) in each requested mode: eager, torch.compile, CUDA
 * graphs. One runner process measures every run; its progress lines feed the stage's live line, and
 * torch.compile's compilation is announced before it starts and timed.
 */
import { availableParallelism } from 'node:os';
import { mkdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { formatMs } from '../pipeline/log/log.js';
import { err, ok, type Result } from '../pipeline/result.js';
import { compileBatches, type BenchConfig } from '../measure/config.js';
import type { Precision } from '../onnx/precision.js';
import type { EngineGroup, EngineName, EngineRunner, RunnerRequest, Skip } from '../measure/kit.js';
import { skipAll } from '../measure/result.js';
import { aotiBuild } from './aoti-stage.js';
import { compileBuild } from './engine-stage.js';
import { fusedBuild } from './fused-stage.js';
import { writeInputs } from './input-files.js';
import { writeGraph } from './python-build.js';
import { describeSampling, estimateMs, timedBudget, warmupBudget } from '../measure/sampling.js';
import { latencyStats, throughput } from '../measure/stats.js';
import {
  probeTorch,
  runTorch,
  type TorchEnvironment,
  type TorchFound,
  type TorchMode,
  type TorchReply,
  type TorchRequest,
  type TorchRun,
} from './runner-process.js';

const TORCH_MODES: Partial<Record<EngineName, TorchMode>> = {
  'torch-eager': 'eager',
  'torch-compile': 'compile',
  'torch-cudagraph': 'cudagraph',
  'torch-aoti': 'aoti',
  'torch-fused': 'fused',
};

const f32 = (b: Uint8Array): Float32Array =>
  new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));

/**
 * Turns the runner's progress lines into the stage's live line and log lines. The live line keeps the last step
 * it was told until the next, so every step that takes long without sampling (a compile, a package load) says
 * itself, with a clock from its start.
 */
function onProgress(r: RunnerRequest, runs: TorchRun[]) {
  const c = r.config;
  return (p: Record<string, unknown>) => {
    const run = runs.find((x) => x.id === p['id']);
    if (!run) return;
    const label = `torch-${run.mode} ${run.precision} batch ${run.batch}`;
    const { n, elapsedMs } = p;
    if (p['event'] === 'compile-start') {
      r.log.info(`${label}: torch.compile compiling (the first call)…`);
      r.log.progress?.(0, 0, `${label} torch.compile compiling`, { elapsedMs: 0 });
    } else if (p['event'] === 'load-start') {
      r.log.progress?.(0, 0, `${label} loading the AOTInductor package`, { elapsedMs: 0 });
    } else if (p['event'] === 'compile-done')
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
function torchRuns(engines: EngineName[], precisions: BenchConfig['precisions'], r: RunnerRequest): TorchRun[] {
  const channelsLast = r.config.torch.channels_last;
  const compiled = new Set(compileBatches(r.config));
  // torch-fused's kernels take float16 only: no other precision is asked of it, so none is reported skipped.
  return engines.flatMap((e) =>
    precisions
      .filter((precision) => precision !== 'int8' && (e !== 'torch-fused' || precision === 'fp16'))
      .flatMap((precision) =>
        r.batches
          .filter((batch) => e !== 'torch-compile' || compiled.has(batch))
          .map((batch): TorchRun => {
            // INT8 never reaches here: the runner has no file for it (artifact).
            if (precision === 'int8') throw new Error('Internal error: a PyTorch run in INT8');
            const mode = TORCH_MODES[e]!;
            // The AOTInductor package was compiled for contiguous inputs.
            const layout = mode !== 'aoti' && channelsLast;
            return { id: `${mode}-${precision}-b${batch}`, mode, precision, batch, channelsLast: layout };
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

/** What the runner's environment adds to bench.json's. */
function seen(env: TorchEnvironment): Pick<EngineGroup, 'versions' | 'gpu'> {
  const versions: Record<string, string> = { torch: env.torch, python: env.python };
  if (env.cuda) versions.cuda = env.cuda;
  if (env.cudnn) versions.cudnn = env.cudnn;
  const gpu = env.gpu
    ? { name: env.gpu, ...(env.computeCapability ? { computeCapability: env.computeCapability } : {}) }
    : undefined;
  return { versions, ...(gpu ? { gpu } : {}) };
}

/** The graph, its weights and every batch's inputs where the runner reads them; or why the runner cannot. */
async function writeRequestFiles(r: RunnerRequest, dir: string): Promise<Result<TorchFiles, Skip>> {
  await mkdir(dir, { recursive: true });
  const graph = await writeGraph(dir, r.modelBytes, basename(r.artifacts.model));
  if (!graph.ok) return err({ cause: 'unsupported-model', message: graph.error });
  const files = await writeInputs(dir, r.feeds, r.batches);
  if (!files.ok) return err({ cause: 'no-inputs', message: files.error });
  return ok({ ...graph.value, inputs: files.value, outputDir: dir });
}

type TorchFiles = Pick<TorchRequest, 'graph' | 'weights' | 'inputs' | 'outputDir'>;

/** The request: the files, every run, and torch.compile's portable caches of engine:torch-compile:*. */
function requestFor(r: RunnerRequest, files: TorchFiles, runs: TorchRun[]): TorchRequest {
  const threads = r.config.torch.threads || availableParallelism();
  const built = r.artifacts.built ?? {};
  const compileCache = Object.fromEntries(Object.entries(built[compileBuild.artifact] ?? {}).filter(([, p]) => p));
  const cached =
    Object.keys(compileCache).length > 0 ? { compileCache, inductorCacheDir: join(files.outputDir, 'inductor') } : {};
  const plan = built[fusedBuild.artifact]?.fp16;
  const fused = plan ? { fusedPlan: { fp16: plan } } : {};
  const aotiPackage = Object.fromEntries(Object.entries(built[aotiBuild.artifact] ?? {}).filter(([, p]) => p));
  return { ...torchRequest(r.config, files, threads, runs), ...cached, ...fused, aotiPackage };
}

/** One runner process for these runs: their measurements, or every one skipped with why the process failed. */
async function measurePart(
  r: RunnerRequest,
  found: TorchFound,
  files: TorchFiles,
  runs: TorchRun[],
): Promise<EngineGroup & { environment?: TorchEnvironment }> {
  const request = requestFor(r, files, runs);
  r.log.info(`torch ${found.environment.torch} (${found.python}): ${runs.length} runs, ${request.threads} threads`, {
    cuda: found.environment.cudaAvailable,
  });
  // A new process: until its first progress line the live line names it, not the last step of the one before.
  const engines = [...new Set(runs.map((x) => `torch-${x.mode}`))].join(', ');
  r.log.progress?.(0, 0, `${engines}: starting the torch runner (${runs.length} runs)`, { elapsedMs: 0 });
  const timeoutMs = r.config.torch.timeout_s * 1000;
  const reply = await runTorch(r.exec, found.python, request, timeoutMs, r.signal, onProgress(r, runs));
  if (reply.ok) return { ...(await collect(r, runs, reply.value)), environment: reply.value.environment };
  if (reply.error.died) return { measured: [], skipped: [], died: reply.error.died };
  const message = `the torch runner failed: ${reply.error.message}`;
  const pairs = [...new Set(runs.map((x) => `torch-${x.mode}\u0000${x.precision}`))].map((k) => k.split('\u0000'));
  const skipped = pairs.map(([engine, precision]) => ({
    engine: engine!,
    precision: precision as Precision,
    kind: 'engine-failed' as const,
    reason: message,
  }));
  return { measured: [], skipped };
}

/**
 * PyTorch running our graph through torch_runner.py, one process for every run; what it cannot run here (no
 * CUDA, torch.compile on an old torch, an operator it lacks) comes back per run with its kind.
 */
export const torchRunner: EngineRunner<TorchFound> = {
  engines: Object.keys(TORCH_MODES) as EngineName[],
  // PyTorch runs the float graph: a Q/DQ model there would be fake quantization in float32, not int8 kernels.
  artifact: (r, precision) =>
    precision === 'int8'
      ? {
          cause: 'unsupported-model',
          message: 'PyTorch runs the float graph; INT8 is measured on onnxruntime and TensorRT',
        }
      : r.artifacts.model,
  async available(r) {
    r.log.progress?.(0, 0, 'finding a Python with torch and starting the torch runner');
    const found = await probeTorch(r.config.python, r.exec);
    return found.ok ? found : err({ cause: 'tool-unavailable', message: found.error.message });
  },
  async measure(r, found, work) {
    const precisions = work.map((w) => w.precision);
    const files = await writeRequestFiles(r, join(r.workDir, 'torch'));
    if (!files.ok) {
      const skipped = precisions.flatMap((p) => skipAll(r.engines, p, files.error));
      return { measured: [], skipped, ...seen(found.environment) };
    }
    const runs = torchRuns([...r.engines], precisions, r);
    // The AOTInductor package loads in a process of its own: a loader that crashes (as on the GPU machine's
    // image, docs/compiled-engines.md) then takes only the torch-aoti runs down.
    const parts = [runs.filter((x) => x.mode !== 'aoti'), runs.filter((x) => x.mode === 'aoti')];
    const group: EngineGroup = { measured: [], skipped: [] };
    let environment = found.environment;
    for (const part of parts.filter((p) => p.length > 0)) {
      const done = await measurePart(r, found, files.value, part);
      if (done.died) return { measured: [], skipped: [], died: done.died };
      group.measured.push(...done.measured);
      group.skipped.push(...done.skipped);
      environment = done.environment ?? environment;
    }
    return { ...group, ...seen(environment) };
  },
};

/** The runner's results as measurements, each with its output for the correctness check. */
async function collect(r: RunnerRequest, runs: TorchRun[], reply: TorchReply): Promise<EngineGroup> {
  const group: EngineGroup = { measured: [], skipped: [] };
  for (const run of runs) {
    const pt2 = run.mode === 'aoti' ? r.artifacts.built?.[aotiBuild.artifact]?.[run.precision] : undefined;
    const artifact = basename(pt2 ?? r.artifacts.model);
    const res = reply.results.find((x) => x.id === run.id);
    const engine = `torch-${run.mode}`;
    if (!res) throw new Error(`Internal error: the torch runner gave no result for ${run.id}`);
    if (!res.ok) {
      const said = group.skipped.some(
        (s) => s.engine === engine && s.precision === run.precision && s.reason === res.message,
      );
      if (!said) group.skipped.push({ engine, precision: run.precision, kind: res.cause, reason: res.message });
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
        ...(res.load ? { load: res.load } : {}),
      },
      output: f32(await readFile(res.output)),
      dims: res.outputDims,
    });
  }
  return group;
}
