import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { DType } from '../../onnx/ir.js';
import { rng } from '../../onnx/random.js';
import { decodeModel, encodeModel, readModelFile, writeModelFile } from '../../onnx/serde.js';
import { makeTensor } from '../../onnx/tensor.js';
import { defaults } from '../../stages/build/config.js';
import { buildMobileNetV2 } from '../../stages/build/mobilenetv2.js';

const { onnx } = onnxProto;
const small = encodeModel(buildMobileNetV2({ ...defaults, width_mult: 0.35, input_size: 32, num_classes: 3 }));

const failure = (bytes: Uint8Array): string => {
  const r = decodeModel(bytes);
  assert.ok(!r.ok, 'decoding should fail');
  return r.error;
};

test('empty, truncated and garbage files are errors that say what is wrong, never throws', () => {
  assert.match(failure(new Uint8Array()), /empty/);
  assert.match(
    failure(small.subarray(0, small.length >> 1)),
    /not an ONNX model: protobuf decoding failed at byte offset \d+.*truncated/,
  );
  const g = rng(1);
  for (let k = 0; k < 200; k++) {
    const junk = Uint8Array.from({ length: 64 + k }, () => Math.floor(g.uniform() * 256));
    assert.match(failure(junk), /not an ONNX model/);
  }
  // Every cut of a real model either fails with a message or, on a field boundary, decodes a shorter model.
  for (let cut = 1; cut < small.length; cut += 997) {
    const r = decodeModel(small.subarray(0, cut));
    if (!r.ok) assert.ok(r.error.length > 10);
  }
});

test('a model without graph or ir_version names the missing field', () => {
  assert.match(failure(onnx.ModelProto.encode({ irVersion: 8 }).finish()), /no graph.*ModelProto\.graph/);
  assert.match(
    failure(onnx.ModelProto.encode({ graph: { name: 'g' } }).finish()),
    /ir_version.*ModelProto\.ir_version/,
  );
  const noOp = onnx.ModelProto.encode({ irVersion: 8, graph: { node: [{ name: 'n0', input: ['x'] }] } }).finish();
  assert.match(failure(noOp), /node #0 \(n0\).*op_type/);
});

test('dimensions beyond 2^53 are rejected, not silently rounded', () => {
  const huge = onnx.ModelProto.encode({
    irVersion: 8,
    graph: { initializer: [{ name: 'w', dataType: DType.FLOAT, dims: ['9007199254740993' as never] }] },
  }).finish();
  assert.match(failure(huge), /initializer "w" has dimension 9007199254740993.*dims/);
});

test('readModelFile puts the path in the message and says what to do', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-serde-'));
  try {
    const missing = await readModelFile(join(dir, 'absent.onnx'));
    assert.ok(!missing.ok && missing.error.startsWith(join(dir, 'absent.onnx')) && /no such file/.test(missing.error));
    await writeFile(join(dir, 'notes.onnx'), 'this is a text file, not a model\n');
    const text = await readModelFile(join(dir, 'notes.onnx'));
    assert.ok(
      !text.ok && text.error.includes('notes.onnx') && /Rebuild or re-export/.test(text.error),
      JSON.stringify(text),
    );
    await writeFile(join(dir, 'm.onnx'), small);
    const good = await readModelFile(join(dir, 'm.onnx'));
    assert.ok(good.ok);
    assert.equal(good.value.graph.inputs[0]?.name, 'input');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('untouched parts re-encode as read; replaced tensors, attributes and nodes are encoded from their fields', () => {
  const path = '/usr/share/libonnx-testdata/data/node/test_conv_with_strides_padding/model.onnx';
  const bytes = (() => {
    try {
      return readFileSync(path);
    } catch {
      return undefined;
    }
  })();
  const source = bytes ?? small;
  const m = decodeModel(source);
  assert.ok(m.ok);
  const conv = m.value.graph.nodes.find((n) => n.opType === 'Conv');
  assert.ok(conv);
  conv.attributes = conv.attributes.map((a) =>
    a.name === 'strides' ? { name: 'strides', value: { kind: 'ints', value: [1, 1] } } : a,
  );
  conv.name = 'renamed';
  m.value.graph.initializers.push(makeTensor('extra', DType.INT64, [2], [3n, -4n]));
  const again = decodeModel(encodeModel(m.value));
  assert.ok(again.ok);
  const conv2 = again.value.graph.nodes.find((n) => n.opType === 'Conv');
  assert.equal(conv2?.name, 'renamed');
  assert.deepEqual(conv2?.attributes.find((a) => a.name === 'strides')?.value, { kind: 'ints', value: [1, 1] });
  assert.deepEqual(
    conv2?.attributes.map((a) => a.name),
    conv.attributes.map((a) => a.name),
  );
  const extra = again.value.graph.initializers.find((t) => t.name === 'extra');
  assert.deepEqual([extra?.dtype, extra?.dims], [DType.INT64, [2]]);
  assert.deepEqual(Array.from(new BigInt64Array(Uint8Array.from(extra!.proto.rawData!).buffer)), [3n, -4n]);
});

test("writeModelFile writes exactly encodeModel's bytes, weights passed by reference", async () => {
  const model = buildMobileNetV2({ ...defaults, width_mult: 0.5, input_size: 96, num_classes: 10 });
  const path = join(mkdtempSync(join(tmpdir(), 'ef-serde-')), 'model.onnx');
  await writeModelFile(path, model);
  assert.equal(Buffer.compare(readFileSync(path), Buffer.from(encodeModel(model))), 0);
});
