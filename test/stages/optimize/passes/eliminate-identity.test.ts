import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runPasses } from '../../../../onnx/rewrite/pass-manager.js';
import { eliminateIdentity } from '../../../../stages/optimize/passes/eliminate-identity.js';
import { node, opTypes, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

test('an Identity before a graph output goes, and the producer takes the output name', async () => {
  const m = tiny({
    inputs: { x: [2, 3] },
    outputs: ['y'],
    nodes: [node('Relu', ['x'], ['a']), node('Identity', ['a'], ['b']), node('Identity', ['b'], ['y'])],
  });
  const r = eliminateIdentity.run(structuredClone(m));
  assert.equal(r.changed, true);
  assert.deepEqual(opTypes(r.model), ['Relu']);
  assert.deepEqual(r.model.graph.nodes[0]?.outputs, ['y']);
  await assertSameOutputs(m, r.model);
});

test('an Identity linking a graph input straight to a graph output stays', () => {
  const m = tiny({ inputs: { x: [2] }, outputs: ['y'], nodes: [node('Identity', ['x'], ['y'])] });
  const r = runPasses(m, [eliminateIdentity]);
  assert.equal(r.steps[0]?.changed, false);
  assert.deepEqual(opTypes(r.model), ['Identity']);
});
