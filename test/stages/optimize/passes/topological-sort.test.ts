import assert from 'node:assert/strict';
import { test } from 'node:test';
import { topologicalSort } from '../../../../stages/optimize/passes/topological-sort.js';
import { node, opTypes, tiny } from '../../../onnx/rewrite/tiny-model.js';

const chain = () => [node('Relu', ['x'], ['a']), node('Neg', ['a'], ['b']), node('Abs', ['b'], ['y'])];

test('nodes out of order come back in dependency order', () => {
  const r = topologicalSort.run(tiny({ inputs: { x: [2] }, outputs: ['y'], nodes: chain().reverse() }));
  assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Relu', 'Neg', 'Abs']]);
});

test('a sorted graph is unchanged, and a cycle is left alone', () => {
  assert.equal(topologicalSort.run(tiny({ inputs: { x: [2] }, outputs: ['y'], nodes: chain() })).changed, false);
  const cyclic = [node('Add', ['x', 'b'], ['a']), node('Neg', ['a'], ['b']), node('Abs', ['b'], ['y'])];
  const r = topologicalSort.run(tiny({ inputs: { x: [2] }, outputs: ['y'], nodes: cyclic }));
  assert.deepEqual([r.changed, opTypes(r.model)], [false, ['Add', 'Neg', 'Abs']]);
});
