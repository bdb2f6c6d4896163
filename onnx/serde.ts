/**
 * ModelProto ⇄ IR, once each way: serde/decode.ts reads bytes into IR and remembers, per node, value info and
 * graph, the message it came from; serde/encode.ts re-emits that message verbatim while the IR object still
 * says what it said; serde/chunks.ts writes a model to disk without copying its weights. This module reads
 * model files, with their external data, into one message per failure.
 */
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { err, ok, type Result } from '../pipeline/result.js';
import { internalize } from './external-data.js';
import type { Model } from './ir.js';
import { decodeModel } from './serde/decode.js';

export { decodeGraphProto, decodeModel, decodeTensor } from './serde/decode.js';
export { encodeGraphProto, encodeModel, encodeTensorBytes } from './serde/encode.js';
export { encodeModelChunks, writeModelFile } from './serde/chunks.js';

/** A file's bytes, or one message naming it: what a missing or unreadable model or tensor file reports. */
export async function readBytes(path: string): Promise<Result<Uint8Array, string>> {
  try {
    return ok(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return err(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code ?? String(e)})`);
  }
}

/**
 * Reads and decodes a model file, with the bytes of its external data (files beside it) read in; every failure
 * is one message that names the file and says what to do.
 */
export async function readModelFile(path: string): Promise<Result<Model, string>> {
  const bytes = await readBytes(path);
  if (!bytes.ok) return bytes;
  const model = decodeModel(bytes.value);
  if (!model.ok)
    return err(
      `${path}: ${model.error}. Rebuild or re-export the model; a partial copy or a non-ONNX file cannot be used.`,
    );
  const whole = await internalize(model.value, dirname(path));
  return whole.ok ? whole : err(`${path}: ${whole.error}`);
}
