import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import {
  checkDataFiles,
  checkFeeds,
  makeFeeds,
  readCheckData,
  resolveInputs,
  shapeAt,
} from '../../../onnx/inputs/index.js';
import { DType, type Model } from '../../../onnx/ir.js';
import { runTensorsOnce } from '../../../onnx/ort.js';
import { readModelFile } from '../../../onnx/serde.js';
import { makeTensor } from '../../../onnx/tensor.js';
import { realModels } from '../../corpus/models.js';
import { model, node, vi } from '../model-kit.js';

const { onnx } = onnxProto;

const load = async (name: string): Promise<Model> => {
  const m = await readModelFile(realModels(name)[0]!.file);
  assert.ok(m.ok);
  return m.value;
};

test('the shared leading symbolic dimension is the batch; dims given by name fix the rest', async () => {
  const det = await load('ppocr_v4_det');
  const missing = resolveInputs(det, {});
  assert.ok(!missing.ok);
  assert.match(
    missing.error,
    new RegExp(
      String.raw`input 'x' .*dimension 2 \('p2o\.DynamicDimension\.1'\) has no value: ` +
        String.raw`set model\.dims.*--dim p2o\.DynamicDimension\.1=N`,
    ),
  );
  const spec = resolveInputs(det, { dims: { 'p2o.DynamicDimension.1': 64, 'p2o.DynamicDimension.2': 96 } });
  assert.ok(spec.ok, spec.ok ? '' : spec.error);
  assert.equal(spec.value.batchDim, 'p2o.DynamicDimension.0');
  assert.deepEqual(shapeAt(spec.value.inputs[0]!, 3), [3, 3, 64, 96]);
});

test('unnamed dimensions need the whole shape; an int64 input needs a value or a range, never noise', async () => {
  const v5 = await load('silero_vad_v5');
  const noShape = resolveInputs(v5, { inputs: { sr: { value: 16000 } } });
  assert.ok(!noShape.ok);
  assert.match(
    noShape.error,
    /input 'input' \[\?, \?\]: dimension 0 has no name and no value: set model\.inputs\."input"\.shape: \[N, \?\]/,
  );
  const noSr = resolveInputs(v5, { inputs: { input: { shape: [1, 512] }, state: { shape: [2, 1, 128] } } });
  assert.ok(!noSr.ok);
  assert.match(noSr.error, /input 'sr' is INT64: .*model\.inputs\.sr\.value .*range/);
  const spec = resolveInputs(v5, {
    inputs: { input: { shape: [1, 512] }, state: { shape: [2, 1, 128] }, sr: { value: 16000 } },
  });
  assert.ok(spec.ok, spec.ok ? '' : spec.error);
  assert.equal(spec.value.batchDim, undefined, 'no named dimension is left to vary');
  const feeds = makeFeeds(spec.value, 1, 0);
  assert.ok(feeds.ok);
  assert.deepEqual([...(feeds.value['sr']!.data as BigInt64Array)], [16000n]);
  // The feeds run the real model: the shapes and types are what it takes.
  const out = await runTensorsOnce(realModels('silero_vad_v5')[0]!.file, feeds.value);
  assert.deepEqual(out['output']!.dims, [1, 1]);
});

test('a named batch shared by several inputs varies together; a scalar input is not batched', async () => {
  const legacy = await load('silero_vad_legacy');
  const spec = resolveInputs(legacy, { dims: { sequence: 512 }, inputs: { sr: { value: 16000 } } });
  assert.ok(spec.ok, spec.ok ? '' : spec.error);
  assert.equal(spec.value.batchDim, 'batch');
  const feeds = makeFeeds(spec.value, 3, 0);
  assert.ok(feeds.ok);
  assert.deepEqual(feeds.value['h']!.dims, [2, 3, 64]);
  assert.deepEqual(feeds.value['input']!.dims, [3, 512]);
  assert.deepEqual(feeds.value['sr']!.dims, []);
  const out = await runTensorsOnce(realModels('silero_vad_legacy')[0]!.file, feeds.value);
  assert.deepEqual(out['output']!.dims, [3, 1]);
});

test('config mistakes are named: wrong rank, a fixed dim contradicted, an unknown input, an empty range', () => {
  const m = model({
    nodes: [node('Relu', ['x'], ['y'])],
    inputs: [vi('x', DType.FLOAT, ['N', 4]), vi('k', DType.INT32, [2])],
    outputs: [vi('y')],
  });
  const cases: [Parameters<typeof resolveInputs>[1], RegExp][] = [
    [{ inputs: { x: { shape: [1] } } }, /model\.inputs\.x\.shape has 1 dimensions but input 'x' has 2/],
    [{ inputs: { x: { shape: [1, 5] } } }, /shape\[1\] is 5 but the model fixes that dimension at 4/],
    [{ inputs: { z: { value: 1 } } }, /model\.inputs\.z: the model has no input of that name; its inputs: x, k/],
    [{ inputs: { k: { range: [3, 1] } } }, /range: \[3, 1\] is empty/],
    [{ batch_dim: 'M', inputs: { k: { value: 1 } } }, /model\.batch_dim 'M' names no dimension/],
  ];
  for (const [cfg, re] of cases) {
    const r = resolveInputs(m, cfg);
    assert.ok(!r.ok);
    assert.match(r.error, re);
  }
  const ranged = resolveInputs(m, { inputs: { k: { range: [-2, 2] } } });
  assert.ok(ranged.ok);
  const feeds = makeFeeds(ranged.value, 1, 7);
  assert.ok(feeds.ok);
  for (const v of feeds.value['k']!.data as Int32Array) assert.ok(v >= -2 && v <= 2);
});

test('a dimension of 2^40 is refused before anything is allocated', () => {
  const m = model({
    nodes: [node('Relu', ['x'], ['y'])],
    inputs: [vi('x', DType.FLOAT, [2 ** 40, 4])],
    outputs: [vi('y')],
  });
  const spec = resolveInputs(m, {});
  assert.ok(spec.ok);
  const feeds = makeFeeds(spec.value, 1, 0);
  assert.ok(!feeds.ok);
  assert.match(feeds.error, /input 'x' at shape \[1099511627776, 4\] holds 4\.40e\+12 elements/);
});

test('check data fixes the shapes it covers and gives the check its batch; by name, else by position', async () => {
  const legacy = await load('silero_vad_legacy');
  const dir = await mkdtemp(join(tmpdir(), 'ef-check-'));
  try {
    const audio = makeTensor(
      '',
      DType.FLOAT,
      [2, 256],
      Float32Array.from({ length: 512 }, (_, i) => Math.sin(i / 9)),
    );
    const sr = makeTensor('sr', DType.INT64, [], [8000n]);
    await writeFile(join(dir, 'input_0.pb'), onnx.TensorProto.encode(audio.proto).finish());
    await writeFile(join(dir, 'input_1.pb'), onnx.TensorProto.encode(sr.proto).finish());
    await writeFile(join(dir, 'notes.txt'), 'ignored');
    const files = await checkDataFiles(dir);
    assert.ok(files.ok);
    assert.deepEqual(Object.keys(files.value), ['input_0.pb', 'input_1.pb']);
    const data = await readCheckData(files.value, legacy);
    assert.ok(data.ok, data.ok ? '' : data.error);
    assert.deepEqual([...data.value.inputs.keys()], ['input', 'sr']);
    // The check data's [2, 256] fixes `sequence` and the batch; h and c follow at batch 2.
    const fed = checkFeeds(legacy, { inputs: { sr: { value: 16000 } } }, { seed: 0, batch: 5, checkData: data.value });
    assert.ok(fed.ok, fed.ok ? '' : fed.error);
    assert.equal(fed.value.batch, 2);
    assert.deepEqual(fed.value.feeds['h']!.dims, [2, 2, 64]);
    assert.deepEqual(
      [...(fed.value.feeds['sr']!.data as BigInt64Array)],
      [8000n],
      'the check data wins over the config value',
    );
    const out = await runTensorsOnce(realModels('silero_vad_legacy')[0]!.file, fed.value.feeds);
    assert.deepEqual(out['output']!.dims, [2, 1]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('check data that is missing, empty or not TensorProto is one message naming the file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-check-'));
  try {
    const none = await checkDataFiles(join(dir, 'absent'));
    assert.ok(!none.ok);
    assert.match(none.error, /cannot be read \(ENOENT\)/);
    const empty = await checkDataFiles(dir);
    assert.ok(!empty.ok);
    assert.match(empty.error, /has no input_N\.pb/);
    await writeFile(join(dir, 'input_0.pb'), Buffer.from([0xff, 0xff, 0xff]));
    const files = await checkDataFiles(dir);
    assert.ok(files.ok);
    const m = model({ nodes: [node('Relu', ['x'], ['y'])], inputs: [vi('x', DType.FLOAT, [1])], outputs: [vi('y')] });
    const bad = await readCheckData(files.value, m);
    assert.ok(!bad.ok);
    assert.match(bad.error, /input_0\.pb: not a TensorProto/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('check data that contradicts a configured dimension is an error naming both', () => {
  const m = model({
    nodes: [node('Relu', ['x'], ['y'])],
    inputs: [vi('x', DType.FLOAT, ['N', 'H'])],
    outputs: [vi('y')],
  });
  const r = resolveInputs(m, { dims: { H: 8 } }, new Map([['x', [1, 16]]]));
  assert.ok(!r.ok);
  assert.match(r.error, /check data for input 'x' has 16 at dimension 1 \('H'\), where the config gives 8/);
});

test('a dims name no input has is an error with did-you-mean, not a silent change of keys', async () => {
  const det = await load('ppocr_v4_det');
  const dims = { 'p2o.DynamicDimension.1': 64, 'p2o.DynamicDimension.2': 64 };
  assert.ok(resolveInputs(det, { dims }).ok, 'the named dimensions alone resolve');
  const typo = resolveInputs(det, { dims: { ...dims, 'p2o.DynamicDimension.3': 8 } });
  assert.ok(!typo.ok);
  assert.match(
    typo.error,
    new RegExp(
      String.raw`^dimension 'p2o\.DynamicDimension\.3' \(--dim p2o\.DynamicDimension\.3=… or model\.dims\) names ` +
        String.raw`no dimension of the model's inputs \(did you mean p2o\.DynamicDimension\.[012]\?\); ` +
        String.raw`its named dimensions: p2o\.DynamicDimension\.0, `,
    ),
  );
  const bogus = resolveInputs(det, { dims: { ...dims, bogus: 3 } });
  assert.ok(!bogus.ok);
  assert.doesNotMatch(bogus.error, /did you mean/, 'nothing near enough to suggest');
  assert.match(bogus.error, /'bogus' .*names no dimension/);
});
