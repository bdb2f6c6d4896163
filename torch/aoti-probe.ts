/**
 * The `torch-aoti` tool: the Python the `torch-compile` probe finds (the same search, asked once per run), and
 * the AOTInductor build's own code identity: torch_aoti.py and every module of this kit it imports.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ok } from '../pipeline/result.js';
import type { ToolSpec } from '../pipeline/stage.js';
import { probeTorchCompile, type CompileProbeConfig } from './probe.js';
import { pythonClosure } from './python-closure.js';
import { sourceFile } from '../pipeline/source-file.js';

export const aotiPath = sourceFile('torch/torch_aoti.py');

/** One hash over torch_aoti.py's closure: a change to the export, the runner's module or its ops rebuilds. */
export function aotiCodeHash(): string {
  const h = createHash('sha256');
  for (const f of pythonClosure(aotiPath)) h.update(readFileSync(f));
  return h.digest('hex').slice(0, 16);
}

export const torchAotiTool = <C extends CompileProbeConfig>(): ToolSpec<C> => ({
  name: 'torch-aoti',
  async probe(config, exec, memo) {
    const found = await probeTorchCompile(config, exec, memo);
    if (!found.ok) return found;
    const fingerprint = { ...found.value.fingerprint, code: aotiCodeHash() };
    return ok({ command: [found.value.command[0]!, aotiPath], fingerprint });
  },
});
