/**
 * The `torch-compile` tool probe: a Python whose torch can compile and save torch.compile's portable cache
 * (torch >= 2.7), and for an FP16 engine a GPU (nvidia-smi's first, the device torch uses unless told
 * otherwise). The fingerprint names what the compiled code depends
 * on: the torch, Triton and CUDA builds, the GPU and its compute capability, and the code that compiles (the
 * runner's and this stage's Python, by hash), so a change to any of them builds the engine again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { Exec } from '../pipeline/execute/exec.js';
import { noMemo, type Answer, type ProbeMemo } from '../pipeline/plan/probe-memo.js';
import { err, ok } from '../pipeline/result.js';
import type { ToolProbe, ToolSpec } from '../pipeline/stage.js';
import { pythonClosure } from './python-closure.js';
import { PYTHON_CANDIDATES } from './runner-process.js';
import { sourceFile } from '../pipeline/source-file.js';
import { probeGpu } from '../measure/gpu.js';
import type { Precision } from '../onnx/precision.js';
import type { BenchConfig } from '../measure/config.js';
import type { EngineName } from '../measure/kit.js';

export const enginePath = sourceFile('torch/torch_engine.py');
/** The code identity: one hash over the Python that builds and loads the engine (torch_engine.py's closure). */
export function codeHash(): string {
  const h = createHash('sha256');
  for (const f of pythonClosure(enginePath)) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

export interface CompileProbeConfig {
  python: string;
  precision: Precision;
  /** Why the benchmark would not use this engine (not in bench.engines / bench.precisions), or ''. */
  unused: string;
}

/**
 * Why nothing would load what the `engine` stage builds at `precision` (`unused`), or '': the benchmark measures
 * only the engines and precisions its section names. torch-fused's build is a plan, the others an engine.
 */
export function unusedBy(b: BenchConfig, engine: EngineName, precision: Precision): string {
  const what = engine === 'torch-fused' ? 'this plan' : 'this engine';
  if (!b.engines.includes(engine)) return `bench.engines does not include ${engine}: nothing would load ${what}`;
  if (!b.precisions.includes(precision)) {
    return `bench.precisions does not include ${precision}: nothing would load ${what}`;
  }
  return '';
}

interface PythonProbe {
  torch: string | null;
  cuda?: string;
  triton?: string;
  /** The candidate that answered, as it is started. */
  python: string;
}

/** Every path a bare command name could be found at: a `python3` appearing earlier on PATH changes the answer. */
const lookups = (command: string): string[] =>
  command.includes('/')
    ? [command]
    : (process.env['PATH'] ?? '').split(delimiter).flatMap((d) => (d ? [join(d, command)] : []));

const PYTHON_ENV = ['PATH', 'PYTHONPATH', 'PYTHONHOME', 'PYTHONUSERBASE', 'PYTHONNOUSERSITE', 'VIRTUAL_ENV'];

type Asked = { reply: PythonProbe & { depends?: string[] } } | { tried: string; certain: boolean };

async function ask(p: string, exec: Exec): Promise<Asked> {
  const run = await exec(p, [enginePath], { input: JSON.stringify({ probe: true }), timeoutMs: 60_000 });
  let reply: (PythonProbe & { depends?: string[] }) | undefined;
  try {
    reply = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as PythonProbe;
  } catch {
    reply = undefined;
  }
  if (run.exitCode === 0 && reply?.torch) return { reply };
  if (run.spawnError) return { tried: `${p} cannot be started (${run.spawnError})`, certain: true };
  if (reply) return { tried: `${p} has no torch`, certain: Array.isArray(reply.depends) };
  return { tried: `${p}: ${run.stderr.trim().split('\n').at(-1) ?? String(run.exitCode)}`, certain: false };
}

/**
 * The configured Python, else the first candidate with torch. Remembered across runs while nothing it depends
 * on changed (the candidates' PATH lookups, each interpreter's search folders and version files): starting
 * each candidate costs 0.1–0.4 s, most of a no-op run.
 */
async function findPython(python: string, exec: Exec): Promise<Answer<PythonProbe | string>> {
  const tried: string[] = [];
  const files: string[] = [];
  let certain = true;
  for (const p of python ? [python] : PYTHON_CANDIDATES) {
    files.push(...lookups(p));
    const asked = await ask(p, exec);
    if ('reply' in asked) {
      const { depends, ...found } = asked.reply;
      return {
        value: { ...found, python: p },
        ...(certain && depends ? { dependsOn: { files: [...files, ...depends], env: PYTHON_ENV } } : {}),
      };
    }
    tried.push(asked.tried);
    certain &&= asked.certain;
  }
  const hint = python ? 'fix bench.python' : 'install PyTorch or set bench.python';
  const message = `compiled PyTorch engines skipped: ${tried.join('; ')} (${hint})`;
  return { value: message, ...(certain ? { dependsOn: { files, env: PYTHON_ENV } } : {}) };
}

/** Both stages ask at once: one search per memo (per run) and PATH. */
const searches = new WeakMap<ProbeMemo, Map<string, Promise<PythonProbe | string>>>();
const findOnce = (python: string, exec: Exec, memo: ProbeMemo) => {
  const mine = searches.get(memo) ?? new Map<string, Promise<PythonProbe | string>>();
  searches.set(memo, mine);
  const key = `${python}\u0000${process.env['PATH'] ?? ''}`;
  let p = mine.get(key);
  if (!p) mine.set(key, (p = memo(`torch-compile python ${python}`, () => findPython(python, exec))));
  return p;
};

const atLeast = (version: string, major: number, minor: number): boolean => {
  const [a, b] = version.split('.').map((v) => Number.parseInt(v, 10));
  return a! > major || (a === major && (b ?? 0) >= minor);
};

export async function probeTorchCompile(c: CompileProbeConfig, exec: Exec, memo = noMemo): Promise<ToolProbe> {
  if (c.unused) return err({ message: c.unused });
  const found = await findOnce(c.python, exec, memo);
  if (typeof found === 'string') return err({ message: found });
  const torch = found.torch!;
  if (!atLeast(torch, 2, 7)) {
    const need = 'compiled engines are torch.compiler.save_cache_artifacts, new in torch 2.7';
    return err({ message: `needs torch >= 2.7, found ${torch}: ${need} (${found.python})` });
  }
  const gpu = found.cuda && found.cuda !== 'none' ? await probeGpu(exec) : undefined;
  if (c.precision === 'fp16' && !gpu?.ok) {
    const why = gpu ? gpu.error.message : `torch ${torch} is built without CUDA`;
    return err({ message: `an FP16 compiled engine needs a CUDA GPU: ${why}` });
  }
  // A CPU build of torch compiles C++ and never Triton: a Triton installed beside it (the test extras, for its
  // interpreter) must not move the compiled engines' keys.
  const cuda = found.cuda ?? 'none';
  return ok({
    command: [found.python, enginePath],
    fingerprint: {
      torch,
      triton: cuda === 'none' ? 'none' : (found.triton ?? 'none'),
      cuda,
      gpu: gpu?.ok ? gpu.value.name : 'none',
      computeCapability: gpu?.ok ? gpu.value.computeCapability : 'none',
      code: codeHash(),
    },
  });
}

/** torch-fused's plan is timed on the GPU with Triton kernels: the compiled engines' probe, and Triton. */
export const torchFusedTool = <C extends CompileProbeConfig>(): ToolSpec<C> => ({
  name: 'torch-fused',
  async probe(config, exec, memo) {
    const found = await probeTorchCompile(config, exec, memo);
    if (!found.ok || found.value.fingerprint['triton'] !== 'none') return found;
    return err({
      message: `torch-fused runs Triton kernels, and torch ${found.value.fingerprint['torch']} has no Triton`,
    });
  },
});

export const torchCompileTool = <C extends CompileProbeConfig>(): ToolSpec<C> => ({
  name: 'torch-compile',
  probe: (config, exec, memo) => probeTorchCompile(config, exec, memo),
});
