import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType } from '../../../../onnx/ir.js';
import { runPasses } from '../../../../onnx/rewrite/pass-manager.js';
import { tensorNumbers } from '../../../../onnx/rewrite/tensors.js';
import { foldConstants } from '../../../../stages/optimize/passes/fold-constants.js';
import { ints, node, opTypes, scalar, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

/** What exporters emit for x.view(x.size(0), -1): Shape → Gather → Unsqueeze → Concat → Reshape. */
/** Unsqueeze takes its axes as an input from opset 13 and as an attribute before. */
const flattenChain = (batch: number | string, opset = 13) =>
  tiny({
    opset,
    inputs: { x: [batch, 3, 2, 2] },
    outputs: ['y'],
    nodes: [
      node('Shape', ['x'], ['s']),
      node('Gather', ['s', 'zero'], ['n'], { axis: 0 }),
      opset >= 13 ? node('Unsqueeze', ['n', 'axes'], ['n1']) : node('Unsqueeze', ['n'], ['n1'], { axes: [0] }),
      node('Constant', [], ['minus1'], { value: ints('minus1', [-1]) }),
      node('Concat', ['n1', 'minus1'], ['shape'], { axis: 0 }),
      node('Reshape', ['x', 'shape'], ['y']),
    ],
    initializers: [scalar('zero', DType.INT64, 0), ints('axes', [0])],
  });

test('Shape/Gather/Unsqueeze/Concat on a static shape becomes one initializer, in both Unsqueeze forms', async () => {
  for (const opset of [13, 11]) {
    const m = flattenChain(2, opset);
    const r = runPasses(m, [foldConstants]);
    assert.deepEqual(opTypes(r.model), ['Reshape']);
    const shape = r.model.graph.initializers.find((t) => t.name === 'shape');
    assert.ok(shape);
    assert.deepEqual([...(tensorNumbers(shape) ?? [])], [2, -1]);
    await assertSameOutputs(m, r.model);
  }
});

test('a dynamic batch dim keeps Shape and what depends on it; only the Constant node folds', () => {
  const r = runPasses(flattenChain('N'), [foldConstants]);
  assert.deepEqual(opTypes(r.model), ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape']);
});
