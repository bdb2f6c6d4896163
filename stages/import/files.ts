/**
 * The user files the import stage is keyed by: the model, and the external data files its tensors name (each
 * checked to lie in the model's folder before anything of it is read).
 */
import { dirname } from 'node:path';
import { externalFiles } from '../../onnx/external-data.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { FileGroup } from '../../pipeline/stage.js';
import { sourceSection } from '../../source/config.js';
import { modelExternalRefs } from '../../source/model-file.js';

/** The model file, and its external data by the location the model names (keyed as `external/<location>`). */
export type ModelFiles = { model: string | undefined; external: FileGroup };

export async function modelFiles(root: Readonly<Record<string, unknown>>): Promise<Result<ModelFiles, string>> {
  const path = sourceSection(root).path;
  if (!path) return ok({ model: undefined, external: {} });
  // The preflight decoded the file already: what it names is taken from there.
  const refs = await modelExternalRefs(path);
  if (!refs.ok) return refs;
  const files = await externalFiles(refs.value, dirname(path));
  if (!files.ok) return err(`${path}: ${files.error}`);
  return ok({ model: path, external: Object.fromEntries(files.value) });
}
