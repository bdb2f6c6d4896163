import assert from 'node:assert/strict';
import { test } from 'node:test';
import { c, op, v, rewritePass, rule, type RuleStats } from '../../../onnx/rewrite/rule.js';
import type { Model } from '../../../onnx/ir.js';
import { floats, node, opTypes, tiny } from './tiny-model.js';

// Neg(Neg(x)) → x, declining when x is a constant (a reason the stats must carry).
const doubleNeg = rule(
  'double-neg',
  op('Neg', [op('Neg', [v('x')])]),
  (m) => ({ alias: m.values.x as string }),
  (m, ctx) => (ctx.index.constants.has(m.values.x as string) ? 'x is a constant' : undefined),
);
const stats: RuleStats[] = [];
const testPass = rewritePass('test', 'test', [doubleNeg]);
const pass = {
  run: (m: Model) => {
    const r = testPass.run(m);
    if (r.rules) stats.push(r.rules);
    return r;
  },
};

test('a rule fires through the inner node and removes it when nothing else reads it', () => {
  const m = tiny({
    inputs: { x: [2] },
    outputs: ['y'],
    nodes: [node('Neg', ['x'], ['a']), node('Neg', ['a'], ['b']), node('Relu', ['b'], ['y'])],
  });
  const r = pass.run(m);
  assert.deepEqual([r.changed, opTypes(r.model)], [true, ['Relu']]);
  assert.deepEqual(r.model.graph.nodes[0]?.inputs, ['x']);
  assert.deepEqual(stats.at(-1)?.fired, { 'double-neg': 1 });
});

test('an inner node with another reader does not match; a failed check is recorded with its reason', () => {
  const shared = tiny({
    inputs: { x: [2] },
    outputs: ['y', 'z'],
    nodes: [node('Neg', ['x'], ['a']), node('Neg', ['a'], ['y']), node('Relu', ['a'], ['z'])],
  });
  assert.equal(pass.run(shared).changed, false);
  const constant = tiny({
    inputs: { x: [2] },
    outputs: ['y'],
    nodes: [node('Neg', ['k'], ['a']), node('Neg', ['a'], ['b']), node('Relu', ['b'], ['y'])],
    initializers: [floats('k', [2], 1)],
  });
  assert.equal(pass.run(constant).changed, false);
  assert.deepEqual(stats.at(-1)?.declined, { 'double-neg': 'b: x is a constant' });
});

test('a constant pattern matches initializers only', () => {
  const addConst = rule('add-const', op('Add', [v('x'), c('k')]), (m) => ({ alias: m.values.x as string }));
  const p = rewritePass('t', 't', [addConst]);
  const m = (k: string) =>
    tiny({
      inputs: { x: [2], y: [2] },
      outputs: ['z'],
      nodes: [node('Add', ['x', k], ['s']), node('Relu', ['s'], ['z'])],
      initializers: [floats('k', [2], 1)],
    });
  assert.equal(p.run(m('k')).changed, true);
  assert.equal(p.run(m('y')).changed, false);
});
