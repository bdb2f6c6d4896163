/**
 * The user's model decoded once per run (source/model-file.ts): what the preflight's decode found is what the
 * import stage's key reads, while the file is unchanged; a file replaced since is decoded again, so the key never
 * names the external data of a model that is no longer there.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType, type Model } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import { decodeModelFile, modelExternalRefs } from '../../source/model-file.js';
import { model, node, vi } from '../onnx/model-kit.js';

/** x + w, with w's two floats stored in the file `location`. */
const adder = (location: string): Model =>
  model({
    inputs: [vi('x', DType.FLOAT, [2])],
    outputs: [vi('y', DType.FLOAT, [2])],
    initializers: [
      {
        name: 'w',
        dtype: DType.FLOAT,
        dims: [2],
        proto: {
          name: 'w',
          dataType: DType.FLOAT,
          dims: [2],
          dataLocation: 1,
          externalData: [{ key: 'location', value: location }],
        },
      },
    ],
    nodes: [node('Add', ['x', 'w'], ['y'])],
  });

const locations = async (path: string) => {
  const refs = await modelExternalRefs(path);
  assert.ok(refs.ok, refs.ok ? '' : refs.error);
  return refs.value.map((r) => `${r.tensor.name}@${r.location}`);
};

test('the external data a decoded model names is read from that decode, and again once the file changes', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-model-file-'));
  const path = join(dir, 'model.onnx');
  await writeFile(path, encodeModel(adder('a.bin')));
  assert.ok((await decodeModelFile(path)).ok);
  assert.deepEqual(await locations(path), ['w@a.bin']);
  // Replaced by a model that names other data: a new inode and size, so the remembered decode is not used.
  await rm(path);
  await writeFile(path, encodeModel(adder('other.bin')));
  assert.deepEqual(await locations(path), ['w@other.bin']);
});

test('a file that is no model: the messages the import stage has always given, naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-model-file-'));
  const path = join(dir, 'model.onnx');
  assert.deepEqual(await modelExternalRefs(path), { ok: false, error: `${path}: no such file` });
  await writeFile(path, 'not a model');
  const refs = await modelExternalRefs(path);
  assert.match(refs.ok ? '' : refs.error, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  const decoded = await decodeModelFile(path);
  assert.ok(!decoded.ok && 'decode' in decoded.error, 'undecodable bytes are told from an unreadable file');
});
