/**
 * The torch that a Python imports, as that Python reports it: tests compare with this rather than pin one
 * machine's version string or install path (Debian's 1.13 under /usr/lib/python3/dist-packages, a venv's 2.x).
 */
import { execFileSync } from 'node:child_process';

export interface SystemTorch {
  version: string;
  /** torch/version.py, the file the probe reads the version from. */
  versionFile: string;
}

const found = new Map<string, SystemTorch>();

export function systemTorch(python = '/usr/bin/python3'): SystemTorch {
  let t = found.get(python);
  if (!t) {
    const code = 'import torch, torch.version as v; print(torch.__version__); print(v.__file__)';
    const [version = '', versionFile = ''] = execFileSync(python, ['-c', code], { encoding: 'utf8' })
      .trim()
      .split('\n');
    found.set(python, (t = { version, versionFile }));
  }
  return t;
}

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
