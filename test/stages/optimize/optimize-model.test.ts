import assert from 'node:assert/strict';
import { test } from 'node:test';
import { definePass } from '../../../onnx/rewrite/pass.js';
import { defaults } from '../../../stages/optimize/config.js';
import { optimizeModel } from '../../../stages/optimize/optimize-model.js';
import { passesByName } from '../../../stages/optimize/passes/index.js';
import { floats, node, tiny } from '../../onnx/rewrite/tiny-model.js';

const model = () =>
  tiny({
    inputs: { x: [1, 2, 4, 4] },
    outputs: ['y'],
    nodes: [node('Conv', ['x', 'w'], ['c']), node('Identity', ['c'], ['i']), node('Relu', ['i'], ['y'])],
    initializers: [floats('w', [3, 2, 1, 1], 1)],
  });

test('the default passes on a small model: validated, numerically checked, and the run recorded', async () => {
  const r = await optimizeModel(model(), await passesByName(defaults.passes), defaults);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(
    r.value.run.model.graph.nodes.map((n) => n.opType),
    ['Conv', 'Relu'],
  );
  assert.ok(r.value.check.worstRelL2 <= defaults.tolerance_rel_l2);
});

test('a pass that makes the model invalid is named by bisection', async () => {
  // Reads a value nobody produces: an error the validator reports as an undefined input.
  const dangle = definePass({
    name: 'dangle',
    description: 'test',
    run(m) {
      const relu = m.graph.nodes.find((n) => n.opType === 'Relu');
      if (!relu || relu.inputs[0] === 'nowhere') return { model: m, changed: false };
      relu.inputs[0] = 'nowhere';
      return { model: m, changed: true };
    },
  });
  const r = await optimizeModel(
    model(),
    [...(await passesByName(['eliminate-identity'])), dangle, ...(await passesByName(['remove-dead']))],
    defaults,
  );
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error.message, /does not pass the validator; bisection names pass 'dangle'/);
});

test('a pass that throws is named, with the passes before it', async () => {
  const boom = definePass({
    name: 'boom',
    description: 'test',
    run: () => {
      throw new Error('unexpected attribute');
    },
  });
  const r = await optimizeModel(model(), [...(await passesByName(['eliminate-identity'])), boom], defaults);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error.message, /pass 'boom' failed after \[eliminate-identity\]: unexpected attribute/);
});
