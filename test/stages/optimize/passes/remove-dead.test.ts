import assert from 'node:assert/strict';
import { test } from 'node:test';
import { removeDead } from '../../../../stages/optimize/passes/remove-dead.js';
import { floats, node, opTypes, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

test('unread nodes, initializers and opset imports go', async () => {
  const m = tiny({
    inputs: { x: [2] },
    outputs: ['y'],
    nodes: [node('Relu', ['x'], ['y']), node('Add', ['x', 'k'], ['a']), node('Neg', ['a'], ['b'])],
    initializers: [floats('k', [2], 1), floats('unused', [2], 2)],
  });
  m.opsetImports.push({ domain: 'com.example', version: 1 });
  const r = removeDead.run(structuredClone(m));
  assert.equal(r.changed, true);
  assert.deepEqual(opTypes(r.model), ['Relu']);
  assert.deepEqual(r.model.graph.initializers, []);
  assert.deepEqual(
    r.model.opsetImports.map((o) => o.domain),
    [''],
  );
  m.opsetImports.pop();
  await assertSameOutputs(m, r.model);
});

test('a graph where everything is used is unchanged', () => {
  const m = tiny({
    inputs: { x: [2] },
    outputs: ['y'],
    nodes: [node('Add', ['x', 'k'], ['y'])],
    initializers: [floats('k', [2], 1)],
  });
  assert.equal(removeDead.run(m).changed, false);
});
