import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fuseMatmulAdd } from '../../../../stages/optimize/passes/matmul-add-to-gemm.js';
import { floats, node, opTypes, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

const matmulAdd = (x: number[]) =>
  tiny({
    inputs: { x },
    outputs: ['y'],
    nodes: [node('MatMul', ['x', 'w'], ['p']), node('Add', ['p', 'b'], ['y'])],
    initializers: [floats('w', [4, 5], 1), floats('b', [5], 2)],
  });

test('MatMul of a 2-D input plus a bias becomes Gemm', async () => {
  const m = matmulAdd([3, 4]);
  const r = fuseMatmulAdd.run(structuredClone(m));
  assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Gemm']]);
  await assertSameOutputs(m, r.model);
});

test('a 3-D input stays MatMul + Add (Gemm is 2-D only)', () => {
  const r = fuseMatmulAdd.run(matmulAdd([2, 3, 4]));
  assert.deepEqual([r.changed, opTypes(r.model)], [false, ['MatMul', 'Add']]);
});
