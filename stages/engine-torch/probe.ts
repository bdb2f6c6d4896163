/**
 * The `torch-compile` tool probe: a Python whose torch can compile and save torch.compile's portable cache
 * (torch >= 2.7), and for an FP16 engine a GPU (nvidia-smi's first, the device torch uses unless told
 * otherwise). The fingerprint names what the compiled code depends
 * on: the torch, Triton and CUDA builds, the GPU and its compute capability, and the code that compiles (the
 * runner's and this stage's Python, by hash), so a change to any of them builds the engine again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Exec } from '../../pipeline/exec.js';
import { err, ok } from '../../pipeline/result.js';
import type { ToolProbe, ToolSpec } from '../../pipeline/stage.js';
import { PYTHON_CANDIDATES, sourceFile } from '../benchmark/torch-runner.js';
import { probeGpu } from '../../trt/probe.js';

export const enginePath = sourceFile('stages/engine-torch/torch_engine.py');
const CODE = [
  'stages/benchmark/torch_runner.py',
  'stages/benchmark/compile_cache.py',
  'stages/engine-torch/torch_engine.py',
];

/** The code identity: one hash over the Python that builds and loads the engine. */
export function codeHash(): string {
  const h = createHash('sha256');
  for (const f of CODE) h.update(readFileSync(sourceFile(f)));
  return h.digest('hex').slice(0, 16);
}

export interface CompileProbeConfig {
  python: string;
  precision: 'fp32' | 'fp16';
  /** Why the benchmark would not use this engine (not in bench.engines / bench.precisions), or ''. */
  unused: string;
}

interface PythonProbe {
  torch: string | null;
  cuda?: string;
  triton?: string;
  python: string;
}

/** Every run probes, a no-op one too: the Python side reads versions from files, without importing torch. */
async function findPython(python: string, exec: Exec): Promise<PythonProbe | string> {
  const tried: string[] = [];
  for (const p of python ? [python] : PYTHON_CANDIDATES) {
    const run = await exec(p, [enginePath], { input: JSON.stringify({ probe: true }), timeoutMs: 60_000 });
    let reply: PythonProbe | undefined;
    try {
      reply = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as PythonProbe;
    } catch {
      reply = undefined;
    }
    if (run.exitCode === 0 && reply?.torch) return { ...reply, python: p };
    const said = run.stderr.trim().split('\n').at(-1) ?? String(run.exitCode);
    if (run.spawnError) tried.push(`${p} cannot be started (${run.spawnError})`);
    else tried.push(reply ? `${p} has no torch` : `${p}: ${said}`);
  }
  const hint = python ? 'fix bench.python' : 'install PyTorch or set bench.python';
  return `compiled PyTorch engines skipped: ${tried.join('; ')} (${hint})`;
}

const probes = new Map<string, Promise<PythonProbe | string>>();
const findOnce = (python: string, exec: Exec) => {
  const key = `${python}\u0000${process.env.PATH ?? ''}`;
  let p = probes.get(key);
  if (!p) probes.set(key, (p = findPython(python, exec)));
  return p;
};

const atLeast = (version: string, major: number, minor: number): boolean => {
  const [a, b] = version.split('.').map((v) => Number.parseInt(v, 10));
  return a! > major || (a === major && (b ?? 0) >= minor);
};

export async function probeTorchCompile(c: CompileProbeConfig, exec: Exec): Promise<ToolProbe> {
  if (c.unused) return err({ reason: c.unused });
  const found = await findOnce(c.python, exec);
  if (typeof found === 'string') return err({ reason: found });
  const torch = found.torch!;
  if (!atLeast(torch, 2, 7)) {
    const need = 'compiled engines are torch.compiler.save_cache_artifacts, new in torch 2.7';
    return err({ reason: `needs torch >= 2.7, found ${torch}: ${need} (${found.python})` });
  }
  const gpu = found.cuda && found.cuda !== 'none' ? await probeGpu(exec) : undefined;
  if (c.precision === 'fp16' && !gpu?.ok) {
    const why = gpu ? gpu.error.reason : `torch ${torch} is built without CUDA`;
    return err({ reason: `an FP16 compiled engine needs a CUDA GPU: ${why}` });
  }
  return ok({
    command: [found.python, enginePath],
    fingerprint: {
      torch,
      triton: found.triton ?? 'none',
      cuda: found.cuda ?? 'none',
      gpu: gpu?.ok ? gpu.value.name : 'none',
      computeCapability: gpu?.ok ? gpu.value.computeCapability : 'none',
      code: codeHash(),
    },
  });
}

export const torchCompileTool = <C extends CompileProbeConfig>(): ToolSpec<C> => ({
  name: 'torch-compile',
  probe: (config, exec) => probeTorchCompile(config, exec),
});
