/**
 * The user's model file (`model.path`, `--model`), decoded once per run. The preflight decodes it to check it
 * (stages/import/preflight.ts); the import stage's key then needs the external data files it names, which it
 * takes from that decode instead of decoding the file again. Only those names are kept, not the model, so a
 * large model is not held through the run; a file that changed since (its inode, size or times) is decoded again.
 */
import { stat } from 'node:fs/promises';
import { externalRefs, type ExternalLocation } from '../onnx/external-data.js';
import type { Model } from '../onnx/ir.js';
import { decodeModel, readBytes } from '../onnx/serde.js';
import { err, ok, type Result } from '../pipeline/result.js';

/** Why a file is no model: it cannot be read (said naming the file), or its bytes do not decode (said bare). */
export type ModelFileError = { read: string } | { decode: string };

/** Per file: the version decoded (`stampOf`) and the external data its tensors name. */
const decoded = new Map<string, { stamp: string; refs: Result<ExternalLocation[], string> }>();

/** What `model` names as external data, without its tensors (they hold the file's bytes). */
function locations(model: Model): Result<ExternalLocation[], string> {
  const refs = externalRefs(model);
  return refs.ok ? ok(refs.value.map((r) => ({ location: r.location, tensor: { name: r.tensor.name } }))) : refs;
}

/** What tells one version of a file from the next without reading it. */
async function stampOf(path: string): Promise<string | undefined> {
  const s = await stat(path).catch(() => undefined);
  return s && `${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/** The model at `path`, read and decoded; what it names as external data is kept for `modelExternalRefs`. */
export async function decodeModelFile(path: string): Promise<Result<Model, ModelFileError>> {
  // Taken before the read: a file replaced while it is read gets a new stamp, so the next look decodes it again.
  const stamp = await stampOf(path);
  const bytes = await readBytes(path);
  if (!bytes.ok) return err({ read: bytes.error });
  const model = decodeModel(bytes.value);
  if (!model.ok) return err({ decode: model.error });
  if (stamp !== undefined) decoded.set(path, { stamp, refs: locations(model.value) });
  return ok(model.value);
}

/** The external data the model at `path` names, or why it cannot be told: one line that names the file. */
const named = (path: string, refs: Result<ExternalLocation[], string>): Result<ExternalLocation[], string> =>
  refs.ok ? refs : err(`${path}: ${refs.error}`);

/** The external data the model at `path` names, from this run's decode of the file while it is unchanged. */
export async function modelExternalRefs(path: string): Promise<Result<ExternalLocation[], string>> {
  const seen = decoded.get(path);
  if (seen && seen.stamp === (await stampOf(path))) return named(path, seen.refs);
  const model = await decodeModelFile(path);
  if (!model.ok) return err('read' in model.error ? model.error.read : `${path}: ${model.error.decode}`);
  return named(path, locations(model.value));
}
