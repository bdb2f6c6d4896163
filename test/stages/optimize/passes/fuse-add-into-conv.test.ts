import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuseAddIntoConv } from '../../../../stages/optimize/passes/fuse-add-into-conv.js';
import { floats, node, opTypes, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

const convAdd = (addDims: number[], order: 'conv-first' | 'const-first' = 'conv-first') =>
  tiny({
    inputs: { x: [1, 2, 4, 4] },
    outputs: ['y'],
    nodes: [node('Conv', ['x', 'w', 'b'], ['c']), node('Add', order === 'conv-first' ? ['c', 'k'] : ['k', 'c'], ['y'])],
    initializers: [floats('w', [3, 2, 1, 1], 1), floats('b', [3], 2), floats('k', addDims, 3)],
  });

test('Add of a per-channel constant becomes the Conv bias, in either operand order', async () => {
  for (const m of [convAdd([1, 3, 1, 1]), convAdd([3, 1, 1], 'const-first')]) {
    const r = fuseAddIntoConv.run(structuredClone(m));
    assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Conv']]);
    await assertSameOutputs(m, r.model);
  }
});

test('Add of a constant that varies along a spatial axis stays', () => {
  const r = fuseAddIntoConv.run(convAdd([1, 1, 1, 4]));
  assert.deepEqual([r.changed, opTypes(r.model)], [false, ['Conv', 'Add']]);
});
