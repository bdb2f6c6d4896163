import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType } from '../../../../onnx/ir.js';
import { eliminateDropout } from '../../../../stages/optimize/passes/eliminate-dropout.js';
import { node, opTypes, scalar, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

const withDropout = (
  opset: number,
  dropout: ReturnType<typeof node>,
  initializers = [scalar('ratio', DType.FLOAT, 0.5), scalar('train', DType.BOOL, 0)],
) => tiny({ opset, inputs: { x: [2, 3] }, outputs: ['y'], nodes: [dropout, node('Relu', ['d'], ['y'])], initializers });

test('opset 13: Dropout with a constant-false training_mode input goes', async () => {
  const m = withDropout(13, node('Dropout', ['x', 'ratio', 'train'], ['d']));
  const r = eliminateDropout.run(structuredClone(m));
  assert.equal(r.changed, true);
  assert.deepEqual(opTypes(r.model), ['Relu']);
  assert.deepEqual(r.model.graph.nodes[0]?.inputs, ['x']);
  await assertSameOutputs(m, r.model);
});

test('opset 10: attribute-form Dropout goes', async () => {
  const m = withDropout(10, node('Dropout', ['x'], ['d'], { ratio: 0.3 }), []);
  const r = eliminateDropout.run(structuredClone(m));
  assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Relu']]);
  await assertSameOutputs(m, r.model);
});

test('a training-mode Dropout, a used mask, and is_test = 0 before opset 7 stay', () => {
  const training = withDropout(13, node('Dropout', ['x', 'ratio', 'train'], ['d']), [
    scalar('ratio', DType.FLOAT, 0.5),
    scalar('train', DType.BOOL, 1),
  ]);
  assert.equal(eliminateDropout.run(training).changed, false);
  const mask = tiny({
    opset: 13,
    inputs: { x: [2] },
    outputs: ['y', 'mask'],
    nodes: [node('Dropout', ['x'], ['d', 'mask']), node('Relu', ['d'], ['y'])],
  });
  assert.equal(eliminateDropout.run(mask).changed, false);
  const old = withDropout(6, node('Dropout', ['x'], ['d'], { is_test: 0 }), []);
  assert.equal(eliminateDropout.run(old).changed, false);
});
