import assert from 'node:assert/strict';
import { test } from 'node:test';
import { foldBatchnorm } from '../../../../stages/optimize/passes/fold-batchnorm.js';
import { floats, node, opTypes, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

const bnParams = (c: number) => [
  floats('g', [c], 1),
  floats('beta', [c], 2),
  floats('mu', [c], 3),
  floats('var', [c], 4, (x) => Math.abs(x) + 0.1),
];

test('BatchNormalization after a grouped Conv folds into new weights and bias', async () => {
  const m = tiny({
    inputs: { x: [1, 4, 5, 5] },
    outputs: ['y'],
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], { group: 2, pads: [1, 1, 1, 1] }),
      node('BatchNormalization', ['c', 'g', 'beta', 'mu', 'var'], ['y'], { epsilon: 0.001 }),
    ],
    initializers: [floats('w', [4, 2, 3, 3], 5), floats('b', [4], 6), ...bnParams(4)],
  });
  const r = foldBatchnorm.run(structuredClone(m));
  assert.equal(r.changed, true);
  assert.deepEqual(opTypes(r.model), ['Conv']);
  assert.equal(r.model.graph.nodes[0]?.attributes.find((a) => a.name === 'group')?.value.value, 2);
  await assertSameOutputs(m, r.model);
});

test('BatchNormalization after Gemm (transB) folds too', async () => {
  const m = tiny({
    inputs: { x: [3, 6] },
    outputs: ['y'],
    nodes: [
      node('Gemm', ['x', 'w', 'b'], ['c'], { transB: 1, beta: 0.5 }),
      node('BatchNormalization', ['c', 'g', 'beta', 'mu', 'var'], ['y']),
    ],
    initializers: [floats('w', [4, 6], 5), floats('b', [4], 6), ...bnParams(4)],
  });
  const r = foldBatchnorm.run(structuredClone(m));
  assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Gemm']]);
  await assertSameOutputs(m, r.model);
});

test('a Conv whose output is also read elsewhere keeps its BatchNormalization', () => {
  const m = tiny({
    inputs: { x: [1, 2, 3, 3] },
    outputs: ['y', 'z'],
    nodes: [
      node('Conv', ['x', 'w'], ['c']),
      node('BatchNormalization', ['c', 'g', 'beta', 'mu', 'var'], ['y']),
      node('Relu', ['c'], ['z']),
    ],
    initializers: [floats('w', [2, 2, 1, 1], 5), ...bnParams(2)],
  });
  const r = foldBatchnorm.run(m);
  assert.equal(r.changed, false);
  assert.deepEqual(opTypes(r.model), ['Conv', 'BatchNormalization', 'Relu']);
});
