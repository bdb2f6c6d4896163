/**
 * Where the figures were taken: CPU, GPU and driver, OS, and the versions of every library that ran.
 * The GPU comes from nvidia-smi when it is there (it alone knows the driver), else from torch.
 */
import os from 'node:os';
import type { Exec } from '../../pipeline/exec.js';
import { ortVersion } from '../../onnx/ort.js';
import { probeGpu } from '../../trt/probe.js';
import type { Environment } from './result.js';
import type { TorchEnvironment } from './torch-runner.js';

export async function environment(
  exec: Exec,
  torch?: TorchEnvironment,
  extra: Record<string, string> = {},
): Promise<Environment> {
  const cpus = os.cpus();
  const versions: Record<string, string> = { onnxruntime: ortVersion(), ...extra };
  if (torch) {
    versions.torch = torch.torch;
    versions.python = torch.python;
    if (torch.cuda) versions.cuda = torch.cuda;
    if (torch.cudnn) versions.cudnn = torch.cudnn;
  }
  const smi = await probeGpu(exec);
  const gpu = smi.ok
    ? { name: smi.value.name, driver: smi.value.driver, computeCapability: smi.value.computeCapability }
    : torch?.gpu
      ? { name: torch.gpu, ...(torch.computeCapability ? { computeCapability: torch.computeCapability } : {}) }
      : undefined;
  return {
    cpu: { model: cpus[0]?.model.trim() ?? 'unknown', cores: cpus.length },
    ...(gpu ? { gpu } : {}),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    versions,
  };
}
