/**
 * convert:fp16's judgements on models that are not MobileNetV2 (issue 22): an output too small for float16 is
 * judged by absolute error, not failed; an output beyond the tolerance is named and the stage declines (float32
 * goes on); DynamicQuantizeLinear's outputs are typed, so the model converts around it; a value no rule types is
 * named with the operator to keep; a weight that only a converted body reads is stored as float16.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType, type Model } from '../../../onnx/ir.js';
import { bodies } from '../../../onnx/rewrite/subgraphs.js';
import { decodeModel, encodeModel } from '../../../onnx/serde.js';
import { defaults } from '../../../stages/convert-fp16/config.js';
import convert from '../../../stages/convert-fp16/index.js';
import { floats, model, node, vi } from '../../onnx/model-kit.js';
import { withBodies } from '../../onnx/subgraph-kit.js';
import { stageContext } from '../optimize/stage-context.js';

async function runStage(m: Model, config = defaults) {
  const inputs = { model: '', check_data: {} };
  const { ctx, dir } = await stageContext({ ...config, inputs: {} }, inputs, convert.outputs);
  await writeFile(join(dir, 'model.opt.onnx'), encodeModel(m));
  ctx.inputs = { ...inputs, model: join(dir, 'model.opt.onnx') };
  return { r: await convert.run(ctx), ctx };
}

const scaled = (k: number): Model =>
  model({
    inputs: [vi('x', DType.FLOAT, [2, 3])],
    outputs: [vi('y', DType.FLOAT, [2, 3])],
    initializers: [floats('k', [3], [0.3 * k, -0.7 * k, 0.11 * k])],
    nodes: [node('Mul', ['x', 'k'], ['y'])],
  });

test("an output below float16's smallest normal becomes 0 and is judged by absolute error: converted", async () => {
  // k ≈ 1e-9 is below float16's smallest subnormal (6e-8): it flushes to 0, and so does y. Relative L2 reads 1.0.
  const { r, ctx } = await runStage(scaled(1e-9));
  assert.ok(r.ok && r.value === undefined, r.ok ? JSON.stringify(r.value) : r.error.message);
  const report = JSON.parse(await readFile(ctx.out('report'), 'utf8'));
  assert.equal(report.check.worstRelL2, 1);
  assert.equal(report.check.outputs.y.basis, 'absolute');
  assert.ok(report.check.worstError < 1e-5, `error ${report.check.worstError}`);
  assert.deepEqual(report.flushedToZero, { k: 3 });
});

test('an output beyond the tolerance is named, and the stage declines: the float32 model goes on', async () => {
  const { r } = await runStage(scaled(1), { ...defaults, tolerance_rel_l2: 1e-9 });
  assert.ok(r.ok && r.value !== undefined, r.ok ? '' : r.error.message);
  const declined = r.value.declined;
  assert.match(declined, /^the float16 model differs from the float32 one: output 'y': relative L2 \S+ > 1e-9; /);
  assert.match(declined, /fp16\.keep_fp32/);
});

test("DynamicQuantizeLinear's outputs are typed, so the model converts around it", async () => {
  const { r, ctx } = await runStage(
    model({
      inputs: [vi('x', DType.FLOAT, [2, 3])],
      outputs: [vi('y', DType.FLOAT, [2, 3])],
      initializers: [floats('w', [3])],
      nodes: [
        node('DynamicQuantizeLinear', ['x'], ['q', 's', 'z']),
        node('DequantizeLinear', ['q', 's', 'z'], ['d']),
        node('Mul', ['d', 'w'], ['y']),
      ],
    }),
  );
  assert.ok(r.ok && r.value === undefined, r.ok ? JSON.stringify(r.value) : r.error.message);
  const report = JSON.parse(await readFile(ctx.out('report'), 'utf8'));
  assert.equal(report.initializersConverted, 1, 'w is float16');
});

test('a value no rule types is named with the operator to keep in float32', async () => {
  const custom = { ...node('Foo', ['x'], ['f']), domain: 'com.example' };
  const { r } = await runStage(
    model({
      inputs: [vi('x', DType.FLOAT, [2, 3])],
      outputs: [vi('y', DType.FLOAT, [2, 3])],
      nodes: [custom, node('Relu', ['f'], ['y'])],
    }),
  );
  assert.ok(r.ok && r.value !== undefined, r.ok ? '' : r.error.message);
  assert.match(r.value.declined, /^the type of 'f' \(at Relu node 'y'\) is unknown/);
  assert.match(r.value.declined, /add 'Relu' to fp16\.keep_fp32/);
});

test('a weight only a converted body reads is stored as float16, without a Cast in the body', async () => {
  const k = floats('k', [3]);
  const m = model({
    inputs: [vi('x', DType.FLOAT, [2, 3])],
    outputs: [vi('y', DType.FLOAT, [2, 3])],
    initializers: [k, floats('zero', [], [0])],
    nodes: [
      node('Abs', ['x'], ['ax']),
      node('ReduceSum', ['ax'], ['s'], { keepdims: 0 }),
      node('Greater', ['s', 'zero'], ['cond']),
      // The then-branch always runs and reads k; the else-branch never runs and does not read it.
      withBodies(node('If', ['cond'], ['y']), {
        then_branch: {
          outputs: [vi('t', DType.FLOAT, [2, 3])],
          nodes: [node('Mul', ['x', 'k'], ['m']), node('Identity', ['m'], ['t'])],
        },
        else_branch: { outputs: [vi('e', DType.FLOAT, [2, 3])], nodes: [node('Neg', ['x'], ['e'])] },
      }),
    ],
  });
  const { r, ctx } = await runStage(m);
  assert.ok(r.ok && r.value === undefined, r.ok ? JSON.stringify(r.value) : r.error.message);
  const out = decodeModel(await readFile(ctx.out('model')));
  assert.ok(out.ok);
  assert.equal(out.value.graph.initializers.find((t) => t.name === 'k')?.dtype, DType.FLOAT16);
  const ifNode = out.value.graph.nodes.find((n) => n.opType === 'If')!;
  const [then] = bodies(ifNode);
  assert.deepEqual(
    then?.nodes.filter((n) => n.inputs.includes('k')).map((n) => n.opType),
    ['Mul'],
    'the body reads the float16 weight directly',
  );
  const report = JSON.parse(await readFile(ctx.out('report'), 'utf8'));
  assert.equal(report.bytes.before - report.bytes.after, 8, 'k: 12 bytes → 6, zero: 4 → 2');
});
