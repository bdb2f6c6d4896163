/** The GPU nvidia-smi lists first: what trtexec builds on and PyTorch runs on, keyed by both engines' probes. */
import type { Exec } from '../pipeline/execute/exec.js';
import { which } from '../pipeline/execute/which.js';
import { err, ok } from '../pipeline/result.js';

export const NVIDIA_SMI_ARGS = ['--query-gpu=name,compute_cap,driver_version', '--format=csv,noheader'] as const;

export interface Gpu {
  name: string;
  computeCapability: string;
  driver: string;
}

const firstLines = (text: string, n = 3): string => text.trim().split('\n').slice(0, n).join(' / ');

/** trtexec uses device 0 unless told otherwise, so the first GPU nvidia-smi lists is the one keyed. */
export async function probeGpu(exec: Exec, env: NodeJS.ProcessEnv = process.env) {
  const smi = await which('nvidia-smi', env);
  if (!smi)
    return err({
      reason: 'no NVIDIA GPU found: nvidia-smi is not on PATH (TensorRT engines need an NVIDIA GPU and driver)',
    });
  const run = await exec(smi, NVIDIA_SMI_ARGS);
  const line = run.stdout.split('\n').find((l) => l.trim() !== '');
  const fields = line?.split(',').map((f) => f.trim());
  if (run.exitCode !== 0 || !fields || fields.length !== 3 || !/^\d+\.\d+$/.test(fields[1]!)) {
    const command = `nvidia-smi ${NVIDIA_SMI_ARGS.join(' ')}`;
    const said = firstLines(run.stdout + run.stderr) || '(no output)';
    return err({ reason: `no usable NVIDIA GPU: ${command} exited ${run.exitCode ?? run.signal}: ${said}` });
  }
  return ok<Gpu>({ name: fields[0]!, computeCapability: fields[1]!, driver: fields[2]! });
}
