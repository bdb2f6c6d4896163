import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { encodeModel } from '../../../onnx/serde.js';
import { defaults } from '../../../stages/build/config.js';
import { buildMobileNetV2, makeDivisible } from '../../../stages/build/mobilenetv2.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const trainable = (config = defaults): number =>
  buildMobileNetV2(config)
    .graph.initializers.filter((t) => !t.name.endsWith('running_mean') && !t.name.endsWith('running_var'))
    .reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);

test("the default config has torchvision's 3,504,872 parameters", () => {
  assert.equal(trainable(), 3_504_872);
});

test('the same config gives the same bytes; another seed gives other weights', () => {
  const a = sha(encodeModel(buildMobileNetV2(defaults)));
  assert.equal(sha(encodeModel(buildMobileNetV2(defaults))), a);
  assert.notEqual(sha(encodeModel(buildMobileNetV2({ ...defaults, seed: 1 }))), a);
});

test('ReLU6 and Dropout take the form the opset requires', () => {
  const at = (opset: number) => buildMobileNetV2({ ...defaults, opset }).graph.nodes;
  const clip11 = at(11).find((n) => n.opType === 'Clip');
  assert.equal(clip11?.inputs.length, 3, 'Clip bounds are inputs from opset 11');
  const drop11 = at(11).find((n) => n.opType === 'Dropout');
  assert.deepEqual(
    drop11?.attributes.map((a) => a.name),
    ['ratio'],
    'Dropout ratio is an attribute before opset 12',
  );
  const drop12 = at(12).find((n) => n.opType === 'Dropout');
  assert.equal(drop12?.inputs.length, 2, 'Dropout ratio is an input from opset 12');
});

test('BatchNorm stays a separate node with non-trivial running statistics', () => {
  const model = buildMobileNetV2(defaults);
  assert.equal(model.graph.nodes.filter((n) => n.opType === 'BatchNormalization').length, 52);
  const variance = model.graph.initializers.find((t) => t.name === 'features.0.1.running_var');
  const values = new Float32Array(variance!.proto.rawData!.slice().buffer);
  assert.ok(
    values.some((v) => Math.abs(v - 1) > 0.05),
    'running_var is not all ones',
  );
});

test('channel rounding follows torchvision', () => {
  assert.deepEqual(
    [makeDivisible(32 * 0.5), makeDivisible(16 * 0.35), makeDivisible(1280 * 1.4), makeDivisible(24 * 0.75)],
    [16, 8, 1792, 24],
  );
});

test('a dynamic batch is symbolic; a static one is the configured size', () => {
  assert.deepEqual(buildMobileNetV2({ ...defaults, dynamic_batch: true }).graph.inputs[0]?.type?.shape, [
    'batch',
    3,
    224,
    224,
  ]);
  assert.deepEqual(buildMobileNetV2({ ...defaults, batch_size: 8 }).graph.outputs[0]?.type?.shape, [8, 1000]);
});
