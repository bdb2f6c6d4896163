import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../../onnx/ir.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { definePass, PassError } from '../../../onnx/rewrite/pass.js';
import { node, tiny } from './tiny-model.js';

const model = (): Model =>
  tiny({ inputs: { x: [2] }, outputs: ['z'], nodes: [node('Relu', ['x'], ['y']), node('Relu', ['y'], ['z'])] });

/** Drops one leading Relu per call while more than one is left: needs several rounds to settle. */
const dropRelu = definePass({
  name: 'drop-relu',
  description: 'test',
  run(m) {
    const g = m.graph;
    if (g.nodes.length < 2) return { model: m, changed: false };
    const [first, second] = g.nodes;
    second!.inputs = [...first!.inputs];
    g.nodes.shift();
    return { model: m, changed: true };
  },
});

test('runs to a fixed point and records every application without touching the input', () => {
  const input = model();
  const run = runPasses(input, [dropRelu]);
  assert.equal(run.model.graph.nodes.length, 1);
  assert.equal(input.graph.nodes.length, 2);
  assert.deepEqual(
    run.steps.map((s) => [s.round, s.changed, s.nodesBefore, s.nodesAfter]),
    [
      [1, true, 2, 1],
      [2, false, 1, 1],
    ],
  );
  assert.equal(run.rounds, 2);
});

test('stopAfter replays a prefix of the recorded steps', () => {
  const run = runPasses(model(), [dropRelu], { stopAfter: 0 });
  assert.equal(run.model.graph.nodes.length, 2);
});

test('a pass that never settles is named, with the passes before it', () => {
  const flip = definePass({
    name: 'flip',
    description: 'test',
    run: (m) => {
      m.graph.nodes.reverse();
      return { model: m, changed: true };
    },
  });
  assert.throws(
    () => runPasses(model(), [dropRelu, flip], { maxRounds: 3 }),
    (e: unknown) => e instanceof PassError && e.pass === 'flip' && /no fixed point after 3 rounds/.test(e.message),
  );
});

test('a pass that throws is named in the error', () => {
  const boom = definePass({
    name: 'boom',
    description: 'test',
    run: () => {
      throw new Error('bad node');
    },
  });
  assert.throws(() => runPasses(model(), [dropRelu, boom]), /pass 'boom' failed after \[drop-relu\]: bad node/);
});
