import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType } from '../../../../onnx/ir.js';
import { relu6ToClip } from '../../../../stages/optimize/passes/relu6-to-clip.js';
import { floats, node, opTypes, scalar, tiny } from '../../../onnx/rewrite/tiny-model.js';
import { assertSameOutputs } from '../numerics.js';

// An upper bound of 0.5 rather than 6, so that standard-normal test inputs cross both bounds.
const relu6 = (opset: number, hi = scalar('hi', DType.FLOAT, 0.5)) =>
  tiny({
    opset,
    inputs: { x: [2, 8] },
    outputs: ['y'],
    nodes: [node('Max', ['x', 'zero'], ['m']), node('Min', ['m', 'hi'], ['y'])],
    initializers: [scalar('zero', DType.FLOAT, 0), hi],
  });

test('Min(Max(x, 0), 0.5) becomes Clip with scalar inputs at opset 13 and attributes at opset 9', async () => {
  for (const opset of [13, 9]) {
    const m = relu6(opset);
    const r = relu6ToClip.run(structuredClone(m));
    assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Clip']]);
    const clip = r.model.graph.nodes[0];
    assert.equal(opset >= 11 ? clip?.inputs.length : clip?.attributes.length, opset >= 11 ? 3 : 2);
    await assertSameOutputs(m, r.model);
  }
});

test('a per-element upper bound is not a Clip', () => {
  const r = relu6ToClip.run(relu6(13, floats('hi', [8], 3)));
  assert.deepEqual([r.changed, opTypes(r.model)], [false, ['Max', 'Min']]);
});
