import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simplifyReshape } from '../../../../stages/optimize/passes/simplify-reshape.js';
import { ints, node, opTypes, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

test('Reshape of Reshape collapses, and [N, -1] becomes Flatten', async () => {
  const m = tiny({
    inputs: { x: [2, 3, 4] },
    outputs: ['y'],
    nodes: [node('Reshape', ['x', 's1'], ['r']), node('Reshape', ['r', 's2'], ['y'])],
    initializers: [ints('s1', [6, 4]), ints('s2', [2, -1])],
  });
  const r = simplifyReshape.run(structuredClone(m));
  assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Flatten']]);
  await assertSameOutputs(m, r.model);
});

test('a target shape that copies a dim (0) from the intermediate keeps both Reshapes', () => {
  const m = tiny({
    inputs: { x: [2, 3, 4] },
    outputs: ['y'],
    nodes: [node('Reshape', ['x', 's1'], ['r']), node('Reshape', ['r', 's2'], ['y'])],
    initializers: [ints('s1', [6, 4]), ints('s2', [0, 2, 2])],
  });
  const r = simplifyReshape.run(m);
  assert.deepEqual([r.changed, opTypes(r.model)], [false, ['Reshape', 'Reshape']]);
});
