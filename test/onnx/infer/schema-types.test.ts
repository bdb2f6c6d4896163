/**
 * Element types the operator schema fixes, for operators without a shape rule of their own: before, none of
 * these outputs had a type, and FP16 declined every model holding one ("run shape inference").
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType } from '../../../onnx/ir.js';
import { inferShapes } from '../../../onnx/infer/index.js';
import { floats, model, node, vi } from '../model-kit.js';
import { withBodies } from '../subgraph-kit.js';

test('DynamicQuantizeLinear: uint8 data and zero point, a float scale, as its schema fixes', () => {
  const t = inferShapes(
    model({
      inputs: [vi('x', DType.FLOAT, [2, 3])],
      outputs: [vi('y', DType.UNDEFINED), vi('s', DType.UNDEFINED), vi('z', DType.UNDEFINED)],
      nodes: [node('DynamicQuantizeLinear', ['x'], ['y', 's', 'z'])],
    }),
  );
  assert.equal(t.get('y')?.dtype, DType.UINT8);
  assert.equal(t.get('s')?.dtype, DType.FLOAT);
  assert.equal(t.get('z')?.dtype, DType.UINT8);
});

test("LSTM's outputs take its input's type (a type parameter it shares with X); GRU's and RNN's too", () => {
  for (const op of ['LSTM', 'GRU', 'RNN']) {
    const outputs = op === 'LSTM' ? ['Y', 'Yh', 'Yc'] : ['Y', 'Yh'];
    const t = inferShapes(
      model({
        inputs: [vi('x', DType.DOUBLE, [4, 1, 3])],
        outputs: outputs.map((o) => vi(o, DType.UNDEFINED)),
        initializers: [floats('w', [1, 8, 3]), floats('r', [1, 8, 2])],
        nodes: [node(op, ['x', 'w', 'r'], outputs, { hidden_size: 2 })],
      }),
    );
    for (const o of outputs) assert.equal(t.get(o)?.dtype, DType.DOUBLE, `${op} ${o}`);
  }
});

test('an output typed by an attribute or by nothing the schema states stays unknown', () => {
  const t = inferShapes(
    model(
      {
        inputs: [vi('s', DType.INT64, [2])],
        outputs: [vi('r', DType.UNDEFINED)],
        // Bernoulli's output type is its `dtype` attribute, else its input's: two type parameters, unbound.
        nodes: [node('Bernoulli', ['p'], ['r'])],
      },
      15,
    ),
  );
  assert.equal(t.get('r')?.dtype ?? DType.UNDEFINED, DType.UNDEFINED);
});

test("an If whose branches end in an LSTM carries the LSTM's type out (Silero VAD's decoder)", () => {
  const lstm = (prefix: string) => ({
    inputs: [],
    outputs: [vi(`${prefix}_h`, DType.UNDEFINED)],
    nodes: [node('LSTM', ['x', 'w', 'r'], ['', `${prefix}_h`], { hidden_size: 2 })],
  });
  const t = inferShapes(
    model({
      inputs: [vi('x', DType.FLOAT, [4, 1, 3]), vi('c', DType.BOOL, [])],
      outputs: [vi('y', DType.UNDEFINED)],
      initializers: [floats('w', [1, 8, 3]), floats('r', [1, 8, 2])],
      nodes: [
        withBodies(node('If', ['c'], ['h']), { then_branch: lstm('a'), else_branch: lstm('b') }),
        node('Relu', ['h'], ['y']),
      ],
    }),
  );
  assert.equal(t.get('h')?.dtype, DType.FLOAT);
  assert.equal(t.get('y')?.dtype, DType.FLOAT);
});
