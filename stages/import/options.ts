/**
 * `--model FILE` and `--dim NAME=VALUE` on every command. `--model` replaces the model source of whatever
 * config is in use: the MobileNetV2 fields are dropped (unused, not an error), the input fields are kept.
 */
import { resolve } from 'node:path';
import type { RunConfig } from '../../pipeline/config/config.js';
import type { RegistryOption } from '../../pipeline/registry.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { BUILT_FIELDS } from '../../source/config.js';

const modelSection = (c: RunConfig): Record<string, unknown> => {
  const m = c['model'];
  return m !== null && typeof m === 'object' && !Array.isArray(m) ? { ...(m as Record<string, unknown>) } : {};
};

function applyModel(c: RunConfig, value: string | readonly string[], cwd: string): Result<RunConfig, string> {
  const file = String(value);
  if (!file) return err('--model: give the path of an .onnx file');
  const m = modelSection(c);
  for (const f of BUILT_FIELDS) delete m[f];
  return ok({ ...c, model: { ...m, path: resolve(cwd, file) } });
}

function applyDims(c: RunConfig, value: string | readonly string[]): Result<RunConfig, string> {
  const m = modelSection(c);
  const dims = { ...(m['dims'] as Record<string, unknown> | undefined) };
  for (const d of typeof value === 'string' ? [value] : value) {
    const eq = d.lastIndexOf('=');
    const v = Number(d.slice(eq + 1));
    if (eq <= 0 || !/^\d+$/.test(d.slice(eq + 1)) || !Number.isSafeInteger(v) || v < 1) {
      return err(
        `--dim ${JSON.stringify(d)}: expected NAME=VALUE with a positive integer value, e.g. --dim ` + `batch_size=1`,
      );
    }
    dims[d.slice(0, eq)] = v;
  }
  return ok({ ...c, model: { ...m, dims } });
}

export const modelOptions: Record<string, RegistryOption> = {
  model: { describe: 'an ONNX file to compile instead of the built-in MobileNetV2', apply: applyModel },
  dim: {
    describe: 'the value of a named input dimension: --dim NAME=VALUE (repeatable)',
    array: true,
    apply: (c, v) => applyDims(c, v),
  },
};
