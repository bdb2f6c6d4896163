/**
 * Which inputs trtexec is told shapes for, read from real ONNX files through onnx/serde.ts and onnx/inputs:
 * the rig's tiny models, one from ONNX's own test corpus, real third-party models, and files refused with a
 * message.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType } from '../../onnx/ir.js';
import { readTrtInputs } from '../../trt/model-input.js';
import { realModels } from '../corpus/models.js';
import { Rig } from '../stages/engine-trt/rig.js';

test('symbolic batch → a batch profile; fixed batch → no shape flags, that batch only', async () => {
  const rig = new Rig([]);
  assert.deepEqual(await readTrtInputs(rig.model('d.onnx', 'N'), {}), {
    ok: true,
    value: {
      inputs: [{ name: 'input', dtype: DType.FLOAT, dims: ['batch', 3, 8, 8], shaped: true }],
      batched: true,
      fixedBatch: undefined,
    },
  });
  assert.deepEqual(await readTrtInputs(rig.model('s.onnx', 2), {}), {
    ok: true,
    value: {
      inputs: [{ name: 'input', dtype: DType.FLOAT, dims: [2, 3, 8, 8], shaped: false }],
      batched: false,
      fixedBatch: 2,
    },
  });
});

test('a model from the ONNX test corpus (Relu, input x [3, 4, 5]) is static', async () => {
  const r = await readTrtInputs('/usr/share/libonnx-testdata/data/node/test_relu/model.onnx', {});
  assert.deepEqual(r, {
    ok: true,
    value: {
      inputs: [{ name: 'x', dtype: DType.FLOAT, dims: [3, 4, 5], shaped: false }],
      batched: false,
      fixedBatch: 3,
    },
  });
});

test('real models: Silero VAD (4 inputs, int64 scalar, batch inside the state), PaddleOCR (dynamic H, W)', async () => {
  const [vad, det] = realModels('silero_vad_legacy', 'ppocr_v4_det');
  const v = await readTrtInputs(vad!.file, { dims: { sequence: 512 }, inputs: { sr: { value: 16000 } } });
  assert.ok(v.ok, v.ok ? '' : v.error);
  assert.deepEqual(
    v.value.inputs.map((i) => [i.name, i.dims, i.shaped]),
    [
      ['input', ['batch', 512], true],
      ['sr', [], false],
      ['h', [2, 'batch', 64], true],
      ['c', [2, 'batch', 64], true],
    ],
  );
  assert.equal(v.value.inputs[1]!.dtype, DType.INT64);
  const d = await readTrtInputs(det!.file, { dims: { 'p2o.DynamicDimension.1': 64, 'p2o.DynamicDimension.2': 96 } });
  assert.ok(d.ok, d.ok ? '' : d.error);
  assert.deepEqual(d.value.inputs[0]!.dims, ['batch', 3, 64, 96]);
  const missing = await readTrtInputs(det!.file, {});
  assert.ok(!missing.ok);
  assert.match(
    missing.error,
    /ppocr_v4_det\.onnx: input 'x' .*dimension 2 \('p2o\.DynamicDimension\.1'\) has no value: set model\.dims/,
  );
});

test('a file that is not ONNX is refused with its name', async () => {
  const rig = new Rig([]);
  const bad = join(rig.root, 'bad.onnx');
  writeFileSync(bad, 'not a model');
  const r = await readTrtInputs(bad, {});
  assert.ok(!r.ok);
  assert.match(r.error, /bad\.onnx: not an ONNX model/);
});
