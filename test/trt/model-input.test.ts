/**
 * The static-or-dynamic decision, read from real ONNX files through onnx/serde.ts: the rig's tiny models,
 * one from ONNX's own test corpus, and files the stage must refuse with a message.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { inputFromDims, readModelInput } from '../../trt/model-input.js';
import { Rig } from '../stages/engine-trt/rig.js';

test('symbolic batch → dynamic; fixed batch → static with that batch', async () => {
  const rig = new Rig([]);
  assert.deepEqual(await readModelInput(rig.model('d.onnx', 'N')), { ok: true, value: { name: 'input', dynamicBatch: true, rest: [3, 8, 8] } });
  assert.deepEqual(await readModelInput(rig.model('s.onnx', 2)), { ok: true, value: { name: 'input', batch: 2, dynamicBatch: false, rest: [3, 8, 8] } });
});

test('a model from the ONNX test corpus (Relu, input x [3, 4, 5]) reads as static', async () => {
  const r = await readModelInput('/usr/share/libonnx-testdata/data/node/test_relu/model.onnx');
  assert.deepEqual(r, { ok: true, value: { name: 'x', batch: 3, dynamicBatch: false, rest: [4, 5] } });
});

test('refused: dynamic non-batch dimensions, a scalar, a file that is not ONNX', async () => {
  assert.deepEqual(inputFromDims('x', ['N', 3, 'H', 'W'], 'm.onnx'), { ok: false, error: 'm.onnx: input x has shape [N, 3, H, W]; only the batch (first) dimension may be dynamic for a TensorRT build' });
  assert.ok(!inputFromDims('x', [], 'm.onnx').ok);
  const rig = new Rig([]);
  const bad = join(rig.root, 'bad.onnx');
  writeFileSync(bad, 'not a model');
  const r = await readModelInput(bad);
  assert.ok(!r.ok);
  assert.match(r.error, /bad\.onnx: not an ONNX model/);
});
