// A model that already holds NaN: the numeric check names the tensor that holds it instead of blaming a pass.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType, type Tensor } from '../../../onnx/ir.js';
import { nonFiniteSources } from '../../../onnx/non-finite.js';
import { readModelFile, encodeModel } from '../../../onnx/serde.js';
import { makeTensor, tensorValues } from '../../../onnx/tensor.js';
import { referenceRun, seededFeeds } from '../../../onnx/numeric-check.js';
import { realModels } from '../../corpus/models.js';

const withNaN = (t: Tensor): Tensor => {
  const v = tensorValues(t);
  if (!v.ok) throw new Error(v.error);
  const copy = Float32Array.from(v.value as Float32Array);
  copy[0] = Number.NaN;
  return makeTensor(t.name, t.dtype, t.dims, copy);
};

test('a real model whose weight holds NaN: the reference check names the initializer', async () => {
  const [alexa] = realModels('oww_alexa');
  const read = await readModelFile(alexa!.file);
  assert.ok(read.ok);
  const model = read.value;
  assert.deepEqual(nonFiniteSources(model), [], 'the model as shipped is finite');
  const idx = model.graph.initializers.findIndex((t) => t.dtype === DType.FLOAT && t.dims.length === 2);
  const target = model.graph.initializers[idx]!;
  model.graph.initializers[idx] = withNaN(target);
  const feeds = seededFeeds(model, 0, 1);
  const ref = await referenceRun(encodeModel(model), feeds, model);
  assert.ok(!ref.ok);
  assert.match(ref.error, /is not finite \(NaN or ±Inf\) on the check's inputs/);
  assert.match(
    ref.error,
    new RegExp(
      `the input already holds NaN or ±Inf in initializer '${target.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'`,
    ),
  );
});

test('fed inputs holding Inf are named, and a Constant node holding NaN', async () => {
  const [alexa] = realModels('oww_alexa');
  const read = await readModelFile(alexa!.file);
  assert.ok(read.ok);
  const model = read.value;
  const nan = makeTensor('c', DType.FLOAT, [1], [Number.NaN]);
  model.graph.nodes.push({
    name: 'bad_const',
    opType: 'Constant',
    domain: '',
    inputs: [],
    outputs: ['c'],
    attributes: [{ name: 'value', value: { kind: 'tensor', value: nan } }],
  });
  const feeds = seededFeeds(model, 0, 1);
  assert.ok(feeds.ok);
  const [name] = Object.keys(feeds.value);
  const fed = feeds.value[name!]!;
  (fed.data as Float32Array)[3] = Number.POSITIVE_INFINITY;
  assert.deepEqual(nonFiniteSources(model, feeds.value), [`input '${name}'`, "Constant node 'bad_const'"]);
});
