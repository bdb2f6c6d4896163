import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType } from '../../../onnx/ir.js';
import { decodeModel, encodeModel } from '../../../onnx/serde.js';
import { defaults } from '../../../stages/convert-fp16/config.js';
import convert from '../../../stages/convert-fp16/index.js';
import { floats, node, tiny } from '../../onnx/rewrite/tiny-model.js';
import { stageContext } from '../optimize/stage-context.js';
import { ifModel } from './if-model.js';

const net = () =>
  tiny({
    inputs: { x: [2, 3, 5, 5] },
    outputs: ['y'],
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c']),
      node('Relu', ['c'], ['r']),
      node('GlobalAveragePool', ['r'], ['p']),
      node('Flatten', ['p'], ['y']),
    ],
    initializers: [floats('w', [4, 3, 3, 3], 1), floats('b', [4], 2)],
  });

async function runStage(config = defaults, bytes = encodeModel(net())) {
  const inputs = { model: '', check_data: {} };
  const { ctx, dir } = await stageContext({ ...config, inputs: {} }, inputs, convert.outputs);
  await writeFile(join(dir, 'model.opt.onnx'), bytes);
  ctx.inputs = { ...inputs, model: join(dir, 'model.opt.onnx') };
  return { r: await convert.run(ctx), ctx };
}

test('writes a float16 model with float32 I/O and a report with the numeric check', async () => {
  const { r, ctx } = await runStage();
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const m = decodeModel(await readFile(ctx.out('model')));
  assert.ok(m.ok);
  assert.deepEqual(
    m.value.graph.initializers.map((t) => t.dtype),
    [DType.FLOAT16, DType.FLOAT16],
  );
  assert.equal(m.value.graph.inputs[0]?.type?.dtype, DType.FLOAT);
  const report = JSON.parse(await readFile(ctx.out('report'), 'utf8'));
  assert.equal(report.castsInserted, 2);
  assert.ok(report.check.worstRelL2 > 0 && report.check.worstRelL2 < defaults.tolerance_rel_l2);
});

test('a tolerance the conversion cannot meet declines the stage with one message naming the output', async () => {
  const { r } = await runStage({ ...defaults, tolerance_rel_l2: 1e-9 });
  assert.ok(r.ok && r.value !== undefined, r.ok ? 'built' : r.error.message);
  assert.match(r.value.declined, /^the float16 model differs from the float32 one: output 'y': relative L2 .* > 1e-9/);
});

test('a file that is not ONNX is reported, not thrown', async () => {
  const { r } = await runStage(defaults, new TextEncoder().encode('not a model'));
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error.message, /^cannot read .*model\.opt\.onnx/);
});

test('the stage converts the If branch its check runs and reports each body in fp16.json', async () => {
  const { r, ctx } = await runStage(defaults, encodeModel(ifModel()));
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const report = JSON.parse(await readFile(ctx.out('report'), 'utf8'));
  const outcomes = report.subgraphs.map((s: { attribute: string; converted: boolean }) => [s.attribute, s.converted]);
  assert.deepEqual(outcomes, [
    ['then_branch', true],
    ['else_branch', false],
  ]);
  assert.ok(report.check.worstRelL2 > 0 && report.check.worstRelL2 < defaults.tolerance_rel_l2);
});
