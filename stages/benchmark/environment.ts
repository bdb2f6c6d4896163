/**
 * Where the figures were taken: CPU, GPU and driver, OS, and the versions of every library that ran.
 * The GPU comes from nvidia-smi when it is there (it alone knows the driver), else from torch.
 */
import os from 'node:os';
import type { Exec } from '../../pipeline/execute/exec.js';
import { ortVersion } from '../../onnx/ort.js';
import { probeGpu } from '../../measure/gpu.js';
import type { EngineGroup } from '../../measure/kit.js';
import type { Environment } from '../../measure/result.js';

/** `groups`: what each engine runner saw (the libraries it ran with, the GPU torch found). */
export async function environment(exec: Exec, groups: readonly EngineGroup[]): Promise<Environment> {
  const cpus = os.cpus();
  const versions: Record<string, string> = { onnxruntime: ortVersion() };
  for (const g of groups) Object.assign(versions, g.versions);
  const smi = await probeGpu(exec);
  const seen = groups.find((g) => g.gpu)?.gpu;
  const gpu = smi.ok
    ? { name: smi.value.name, driver: smi.value.driver, computeCapability: smi.value.computeCapability }
    : seen;
  return {
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
    ...(gpu ? { gpu } : {}),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions,
  };
}
