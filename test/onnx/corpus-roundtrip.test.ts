/**
 * Fidelity on ONNX's own corpus (Debian's libonnx-testdata): every model decodes and re-encodes to the same
 * model, and every input/output tensor decodes to the dtype, shape and values Python's onnx reads.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { exec } from '../../pipeline/execute/exec.js';
import { decodeModel, decodeTensor, encodeModel, encodeModelChunks } from '../../onnx/serde.js';
import { float16ToFloat32 } from '../../onnx/float16.js';
import { DType } from '../../onnx/ir.js';
import { tensorValues } from '../../onnx/tensor.js';
import { fromRoot } from '../repo-root.js';

const CORPUS = '/usr/share/libonnx-testdata/data';
const { onnx } = onnxProto;
const skip = existsSync(CORPUS) ? false : `${CORPUS} is missing: apt-get install libonnx-testdata`;

function walk(dir: string, found: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) walk(join(dir, e.name), found);
    else found.push(join(dir, e.name));
  }
  return found;
}

const files = skip ? [] : walk(CORPUS);
// Field by field: the message as protobufjs reads it, 64-bit integers and bytes as strings.
const fields = (b: Uint8Array): string =>
  JSON.stringify(onnx.ModelProto.toObject(onnx.ModelProto.decode(b), { longs: String, bytes: String }));

/**
 * A byte difference must come from the wire encoding alone: protobufjs writing the original's own message
 * gives exactly our bytes (it packs repeated numbers, which ONNX's proto2 writers leave unpacked).
 */
const sameAsProtobufjs = (ours: Uint8Array, original: Uint8Array): boolean =>
  Buffer.compare(Buffer.from(onnx.ModelProto.encode(onnx.ModelProto.decode(original)).finish()), Buffer.from(ours)) ===
  0;

test('every corpus model decodes and re-encodes to the same model', { skip }, () => {
  const models = files.filter((f) => f.endsWith('.onnx'));
  let identical = 0;
  let fieldEqual = 0;
  const failed: string[] = [];
  for (const path of models) {
    const bytes = readFileSync(path);
    const model = decodeModel(bytes);
    if (!model.ok) {
      failed.push(`${path}: ${model.error}`);
      continue;
    }
    const again = encodeModel(model.value);
    // Every raw tensor passed by reference: the chunked writer's framing must give the very same bytes.
    if (Buffer.compare(Buffer.concat(encodeModelChunks(model.value, 1)), again) !== 0) {
      failed.push(`${path}: encodeModelChunks differs from encodeModel`);
      continue;
    }
    if (Buffer.compare(Buffer.from(again), bytes) === 0) identical++;
    else if (fields(again) === fields(bytes) && sameAsProtobufjs(again, bytes)) fieldEqual++;
    else failed.push(path);
  }
  console.log(
    `corpus round trip: ${models.length} models, ${identical} byte-identical, ` +
      `${fieldEqual} equal field by field, ${failed.length} failed`,
  );
  assert.ok(models.length > 1000, `found only ${models.length} models`);
  assert.deepEqual(failed, []);
});

test('every corpus tensor decodes to the dtype, shape and values Python onnx reads', { skip }, async () => {
  const tensors = files.filter((f) => f.endsWith('.pb'));
  const r = await exec('/usr/bin/python3', [fromRoot('test', 'python', 'describe_tensors.py')], {
    input: tensors.join('\n'),
  });
  assert.equal(r.exitCode, 0, r.stderr);
  let checked = 0;
  let valuesChecked = 0;
  let notTensors = 0;
  for (const line of r.stdout.trim().split('\n')) {
    const ref = JSON.parse(line) as {
      path: string;
      kind: string;
      dtype: number;
      dims: number[];
      count?: number;
      sum?: number;
      head?: (number | null)[];
    };
    if (ref.kind !== 'tensor') {
      notTensors++;
      continue;
    }
    const t = decodeTensor(readFileSync(ref.path));
    assert.ok(t.ok, `${ref.path}: ${t.ok ? '' : t.error}`);
    assert.equal(t.value.dtype, ref.dtype, `${ref.path}: dtype`);
    assert.deepEqual(t.value.dims, ref.dims, `${ref.path}: dims`);
    checked++;
    if (ref.count === undefined) continue;
    const read = tensorValues(t.value);
    assert.ok(read.ok, `${ref.path}: ${read.ok ? '' : read.error}`);
    // float16 comes back as bit patterns; Python reports their values.
    const values =
      t.value.dtype === DType.FLOAT16
        ? Array.from(read.value as Uint16Array, float16ToFloat32)
        : Array.from(read.value as ArrayLike<number | bigint>, Number);
    assert.equal(values.length, ref.count, `${ref.path}: element count`);
    let sum = 0;
    for (const v of values) if (Number.isFinite(v)) sum += v;
    assert.ok(
      Math.abs(sum - (ref.sum ?? 0)) <= 1e-6 * Math.max(1, Math.abs(ref.sum ?? 0)),
      `${ref.path}: sum ${sum} vs ${ref.sum}`,
    );
    ref.head?.forEach((h, i) => {
      if (h !== null)
        assert.ok(Math.abs((values[i] as number) - h) <= 1e-6 * Math.max(1, Math.abs(h)), `${ref.path}: value ${i}`);
    });
    valuesChecked++;
  }
  console.log(
    `corpus tensors: ${checked} decoded with the right dtype and shape, ${valuesChecked} with values checked, ` +
      `${notTensors} sequence/map/optional files not TensorProto`,
  );
  assert.ok(checked > 2000, `checked only ${checked} tensors`);
});
