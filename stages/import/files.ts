/**
 * The user files the import stage is keyed by: the model, and the external data files its tensors name (each
 * checked to lie in the model's folder before anything of it is read).
 */
import { dirname } from 'node:path';
import { externalFiles, externalRefs } from '../../onnx/external-data.js';
import { decodeModel, readBytes } from '../../onnx/serde.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { UserFiles } from '../../pipeline/stage.js';
import { sourceSection } from '../../source/config.js';

export const EXTERNAL = 'external/';

export async function modelFiles(root: Readonly<Record<string, unknown>>): Promise<Result<UserFiles, string>> {
  const path = sourceSection(root).path;
  if (!path) return ok({});
  const bytes = await readBytes(path);
  if (!bytes.ok) return bytes;
  const model = decodeModel(bytes.value);
  if (!model.ok) return err(`${path}: ${model.error}`);
  const refs = externalRefs(model.value);
  if (!refs.ok) return err(`${path}: ${refs.error}`);
  const files = await externalFiles(refs.value, dirname(path));
  if (!files.ok) return err(`${path}: ${files.error}`);
  const data = [...files.value].map(([location, file]) => [`${EXTERNAL}${location}`, file]);
  return ok({ model: path, ...Object.fromEntries(data) });
}
