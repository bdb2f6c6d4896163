/**
 * The Node side of torch_runner.py: finds a Python that imports torch, and runs the runner with one JSON
 * request over stdin, one JSON reply over stdout (protocol version 1).
 */
import { dirname, join } from 'node:path';
import type { Exec } from '../pipeline/execute/exec.js';
import { sourceFile } from '../pipeline/source-file.js';
import { err, ok, type Result } from '../pipeline/result.js';
import type { ToolSpec } from '../pipeline/stage.js';
import type { SkipKind } from '../measure/result.js';
import type { Sampling } from '../measure/sampling.js';
import type { Precision } from '../onnx/precision.js';
import type { MachineLoad } from '../measure/load.js';

export const RUNNER_PROTOCOL = 3;
export const runnerPath = sourceFile('torch/torch_runner.py');

/**
 * The project's Python first (.venv, made by `make`: scripts/setup-python.sh), then `python3` (a machine that
 * brings its own torch, such as the GPU machine). Debian's /usr/bin/python3 is not one: its torch 1.13 runs
 * no engine of ours.
 */
export const PYTHON_CANDIDATES = [join(dirname(sourceFile('requirements.txt')), '.venv/bin/python3'), 'python3'];

export interface TorchEnvironment {
  python: string;
  pythonExecutable: string;
  torch: string;
  threads: number;
  cudaAvailable: boolean;
  cuda?: string;
  gpu?: string;
  computeCapability?: string;
  cudnn?: string;
}

export interface TorchFound {
  python: string;
  environment: TorchEnvironment;
}

export type TorchMode = 'eager' | 'compile' | 'cudagraph' | 'aoti' | 'fused';

export interface TorchRun {
  id: string;
  mode: TorchMode;
  precision: Precision;
  batch: number;
  channelsLast: boolean;
}

/** One graph input's values at one batch size, raw little-endian. */
export interface TorchInputFile {
  name: string;
  dtype: string;
  dims: number[];
  file: string;
}

export interface TorchRequest {
  graph: string;
  weights: string;
  /** Batch size → every graph input's file. */
  inputs: Record<string, TorchInputFile[]>;
  outputDir: string;
  warmup: number;
  warmupMaxSeconds: number;
  iterations: number;
  /** Timed runs stop at `iterations` or after this long, with at least `minSamples`. */
  maxSeconds: number;
  minSamples: number;
  device: 'auto' | 'cpu' | 'cuda';
  threads: number;
  tf32: boolean;
  cudnnBenchmark: boolean;
  compileMode: string;
  runs: TorchRun[];
  /** Per precision, an engine file of engine:torch-compile:* to load before compiling. */
  compileCache?: Partial<Record<Precision, string>>;
  /** torch-fused's per-block plan (engine:torch-fused:fp16), so the runner loads the choices it measured. */
  fusedPlan?: Partial<Record<Precision, string>>;
  /** A fresh directory for inductor's caches: a compile is then warm only through compileCache. */
  inductorCacheDir?: string;
  /** Per precision, the .pt2 package of engine:torch-aoti:* that the aoti runs load. */
  aotiPackage?: Partial<Record<Precision, string>>;
}

export type TorchResult =
  | {
      id: string;
      ok: true;
      samplesMs: number[];
      warmup: number;
      timing: string;
      device: string;
      settings: Record<string, string | number | boolean>;
      output: string;
      outputDims: number[];
      compileMs?: number;
      sampling: Sampling;
      /** The runner's own load figures (absent from an older runner). */
      load?: Pick<MachineLoad, 'loadavg1' | 'cpuMs' | 'wallMs'>;
    }
  | { id: string; ok: false; cause: SkipKind; message: string };

export interface TorchReply {
  environment: TorchEnvironment;
  results: TorchResult[];
}

const PROGRESS = '@progress ';
const lastLine = (s: string): string =>
  s
    .trim()
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith(PROGRESS))
    .at(-1) ?? '';

/** Hands each complete `@progress {json}` line of the runner's stderr to `onProgress` as it arrives. */
function progressLines(onProgress: (p: Record<string, unknown>) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      if (!line.startsWith(PROGRESS)) continue;
      try {
        onProgress(JSON.parse(line.slice(PROGRESS.length)) as Record<string, unknown>);
      } catch {
        // A torn or foreign line is not progress; the reply decides the outcome.
      }
    }
  };
}

type OnProgress = (p: Record<string, unknown>) => void;

/** Why the runner gave no reply; `died` when something outside this run killed it (the benchmark fails). */
export interface RunnerError {
  message: string;
  died?: string;
}

const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT']);

async function ask(
  exec: Exec,
  python: string,
  request: object,
  timeoutMs: number,
  signal?: AbortSignal,
  onProgress?: OnProgress,
): Promise<Result<Record<string, unknown>, RunnerError>> {
  const failed = (message: string) => err<RunnerError>({ message });
  const run = await exec(python, [runnerPath], {
    input: JSON.stringify({ protocol: RUNNER_PROTOCOL, ...request }),
    // The runner exits by itself when this process is gone, even before it could set its death signal.
    env: { ENGINEFOUNDRY_PARENT_PID: String(process.pid) },
    timeoutMs,
    ...(signal ? { signal } : {}),
    ...(onProgress ? { onStderr: progressLines(onProgress) } : {}),
  });
  if (run.spawnError) return failed(`${python} cannot be started (${run.spawnError})`);
  if (run.timedOut)
    return failed(`${python} ${runnerPath} ran longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
  // A fault the process raised itself (a native loader crashing, as AOTInductor's does on the GPU machine's
  // image) fails only the runs it held.
  if (run.signal && CRASH_SIGNALS.has(run.signal))
    return failed(`${python} ${runnerPath} crashed with ${run.signal}: ${lastLine(run.stderr) || '(no output)'}`);
  // Killed from outside (the OOM killer, kill -9), not by our own stop: nothing it measured can be trusted.
  if (run.signal && !signal?.aborted) {
    const died = `the torch runner (${python}) was killed by ${run.signal}, not by this run`;
    return err({ message: died, died: `${died} (out of memory? see dmesg)` });
  }
  if (run.exitCode !== 0)
    return failed(lastLine(run.stderr) || `${python} ${runnerPath} exited ${run.exitCode ?? run.signal}`);
  try {
    const reply = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as Record<string, unknown>;
    if (reply.protocol !== RUNNER_PROTOCOL)
      return failed(`${runnerPath} answered protocol ${String(reply.protocol)}, expected ${RUNNER_PROTOCOL}`);
    return ok(reply);
  } catch {
    return failed(`${runnerPath} printed no JSON reply: ${lastLine(run.stdout) || '(no output)'}`);
  }
}

/** The configured Python, else the first candidate whose torch imports. The message names every Python tried. */
export async function probeTorch(python: string, exec: Exec): Promise<Result<TorchFound, { message: string }>> {
  const candidates = python ? [python] : [...PYTHON_CANDIDATES];
  const tried: string[] = [];
  for (const p of candidates) {
    const reply = await ask(exec, p, { probe: true }, 120_000);
    if (reply.ok) return ok({ python: p, environment: reply.value.environment as TorchEnvironment });
    tried.push(reply.error.message);
  }
  const hint = python ? 'fix bench.python' : 'install PyTorch or set bench.python to a Python that has it';
  return err({ message: `PyTorch engines skipped: ${tried.join('; ')} (${hint})` });
}

/** For `--require torch` and the plan: the fingerprint names the torch build and the GPU it sees. */
export const torchTool = <C extends { python: string }>(): ToolSpec<C> => ({
  name: 'torch',
  async probe(config, exec) {
    const found = await probeTorch(config.python, exec);
    if (!found.ok) return found;
    const e = found.value.environment;
    return ok({
      command: [found.value.python, runnerPath],
      fingerprint: { torch: e.torch, cuda: e.cuda ?? 'none', gpu: e.gpu ?? 'none' },
    });
  },
});

export async function runTorch(
  exec: Exec,
  python: string,
  request: TorchRequest,
  timeoutMs: number,
  signal?: AbortSignal,
  onProgress?: OnProgress,
): Promise<Result<TorchReply, RunnerError>> {
  const reply = await ask(exec, python, request, timeoutMs, signal, onProgress);
  if (!reply.ok) return reply;
  return ok({
    environment: reply.value.environment as TorchEnvironment,
    results: reply.value.results as TorchResult[],
  });
}
