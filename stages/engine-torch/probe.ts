/**
 * The `torch-compile` tool probe: a Python whose torch can compile and save torch.compile's portable cache
 * (torch >= 2.7), and for an FP16 engine a GPU it sees. The fingerprint names what the compiled code depends
 * on: the torch, Triton and CUDA builds, the GPU and its compute capability, and the code that compiles (the
 * runner's and this stage's Python, by hash), so a change to any of them builds the engine again.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Exec } from '../../pipeline/exec.js';
import { err, ok } from '../../pipeline/result.js';
import type { ToolProbe, ToolSpec } from '../../pipeline/stage.js';
import { probeTorch, sourceFile, type TorchEnvironment } from '../benchmark/torch-runner.js';

export const enginePath = sourceFile('stages/engine-torch/torch_engine.py');
const CODE = ['stages/benchmark/torch_runner.py', 'stages/benchmark/compile_cache.py', 'stages/engine-torch/torch_engine.py'];

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

interface EngineProbeReply {
  environment: TorchEnvironment;
  cacheArtifacts: boolean;
  triton: string;
}

export async function probeTorchCompile(c: CompileProbeConfig, exec: Exec): Promise<ToolProbe> {
  if (c.unused) return err({ reason: c.unused });
  const found = await probeTorch(c.python, exec);
  if (!found.ok) return found;
  const python = found.value.python;
  const run = await exec(python, [enginePath], { input: JSON.stringify({ probe: true }), timeoutMs: 120_000 });
  let reply: EngineProbeReply | undefined;
  try {
    reply = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '') as EngineProbeReply;
  } catch {
    reply = undefined;
  }
  if (run.exitCode !== 0 || !reply?.environment) {
    return err({ reason: `${python} ${enginePath} did not answer its probe: ${run.stderr.trim().split('\n').at(-1) ?? run.exitCode}` });
  }
  const e = reply.environment;
  if (!reply.cacheArtifacts) return err({ reason: `compiled PyTorch engines need torch >= 2.7 with torch.compiler.save_cache_artifacts (found torch ${e.torch} at ${e.pythonExecutable})` });
  if (c.precision === 'fp16' && !e.cudaAvailable) return err({ reason: `an FP16 compiled engine needs a CUDA GPU, and torch ${e.torch} sees none` });
  return ok({
    command: [python, enginePath],
    fingerprint: {
      torch: e.torch, triton: reply.triton, cuda: e.cuda ?? 'none', gpu: e.gpu ?? 'none',
      computeCapability: e.computeCapability ?? 'none', code: codeHash(),
    },
  });
}

export const torchCompileTool = <C extends CompileProbeConfig>(): ToolSpec<C> => ({
  name: 'torch-compile',
  probe: (config, exec) => probeTorchCompile(config, exec),
});
