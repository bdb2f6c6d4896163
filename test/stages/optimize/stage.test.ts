import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType, type Model } from '../../../onnx/ir.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { definePass } from '../../../onnx/rewrite/pass.js';
import { makeTensor } from '../../../onnx/rewrite/tensors.js';
import { decodeModel, encodeModel } from '../../../onnx/serde.js';
import { checkRun } from '../../../stages/optimize/check-run.js';
import { defaults } from '../../../stages/optimize/config.js';
import optimize from '../../../stages/optimize/index.js';
import { passesByName } from '../../../stages/optimize/passes/index.js';
import { floats, ints, node, opTypes, scalar, tiny } from '../../onnx/rewrite/tiny-model.js';
import { stageContext } from './stage-context.js';

/** The stage's config and inputs before a test points `model` at its file; no check data. */
const config = { ...defaults, inputs: {} };
const inputs = { model: '', validation: '', check_data: {} };

/** A raw-exporter-shaped block: Conv → BN → Clip(0, 6) with Constant bounds → Identity → Dropout. */
const raw = (): Model =>
  tiny({
    inputs: { x: ['N', 3, 6, 6] },
    outputs: ['y'],
    nodes: [
      node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1] }),
      node('BatchNormalization', ['c', 'g', 'beta', 'mu', 'var'], ['bn']),
      node('Constant', [], ['lo'], { value: scalar('lo', DType.FLOAT, 0) }),
      node('Constant', [], ['hi'], { value: scalar('hi', DType.FLOAT, 6) }),
      node('Clip', ['bn', 'lo', 'hi'], ['r']),
      node('Identity', ['r'], ['i']),
      node('Dropout', ['i'], ['y']),
    ],
    initializers: [
      floats('w', [4, 3, 3, 3], 1),
      floats('g', [4], 2),
      floats('beta', [4], 3),
      floats('mu', [4], 4),
      floats('var', [4], 5, (v) => Math.abs(v) + 0.5),
      floats('unused', [3], 6),
    ],
  });

test('the stage writes a model with Conv → Clip only and a passes.json that reports every pass', async () => {
  const { ctx, dir } = await stageContext(config, inputs, optimize.outputs);
  const input = join(dir, 'model.onnx');
  await writeFile(input, encodeModel(raw()));
  ctx.inputs = { ...inputs, model: input, validation: input };
  const r = await optimize.run(ctx);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const out = decodeModel(await readFile(ctx.out('model')));
  assert.ok(out.ok);
  assert.deepEqual(opTypes(out.value), ['Conv', 'Clip']);
  assert.deepEqual(
    out.value.graph.nodes[1]?.inputs.slice(1).map((i) => out.value.graph.initializers.some((t) => t.name === i)),
    [true, true],
  );
  const report = JSON.parse(await readFile(ctx.out('passes'), 'utf8'));
  assert.deepEqual(
    report.passes.map((p: { pass: string }) => p.pass),
    defaults.passes,
  );
  const changed = Object.fromEntries(report.passes.map((p: { pass: string; changed: boolean }) => [p.pass, p.changed]));
  assert.deepEqual(
    [changed['fold-batchnorm'], changed['eliminate-identity'], changed['matmul-add-to-gemm']],
    [true, true, false],
  );
  assert.deepEqual(report.nodes, { before: 7, after: 2 });
  const foldBn = report.passes.find((p: { pass: string }) => p.pass === 'fold-batchnorm');
  assert.deepEqual(foldBn.fired, { 'batchnorm-into-conv': 1 });
  assert.ok(typeof foldBn.ms === 'number' && foldBn.nodesBefore > foldBn.nodesAfter);
  assert.ok(report.check.worstRelL2 <= defaults.tolerance_rel_l2);
});

test('a pass that changes the numbers is caught and named by bisection', async () => {
  // Shifts every Conv's weights slightly: a plausible fold bug.
  const breakWeights = definePass({
    name: 'break-weights',
    description: 'test',
    run(m) {
      const conv = m.graph.nodes.find((n) => n.opType === 'Conv');
      const w = m.graph.initializers.find((t) => t.name === conv?.inputs[1]);
      if (!conv || !w || w.name.endsWith('_broken')) return { model: m, changed: false };
      const name = `${w.name}_broken`;
      m.graph.initializers.push(
        makeTensor(name, DType.FLOAT, w.dims, new Float32Array(w.dims.reduce((a, b) => a * b, 1)).fill(0.01)),
      );
      conv.inputs[1] = name;
      return { model: m, changed: true };
    },
  });
  const passes = [
    ...(await passesByName(defaults.passes.slice(0, 4))),
    breakWeights,
    ...(await passesByName(defaults.passes.slice(4))),
  ];
  const original = raw();
  const result = await checkRun(original, runPasses(original, passes), passes, defaults);
  assert.equal(result.ok, false);
  assert.match(result.ok ? '' : result.error.message, /bisection names pass 'break-weights'/);
});

test('a file that is not ONNX is reported as one message, not thrown', async () => {
  const { ctx, dir } = await stageContext(config, inputs, optimize.outputs);
  const input = join(dir, 'model.onnx');
  await writeFile(input, 'garbage');
  ctx.inputs = { ...inputs, model: input, validation: input };
  const r = await optimize.run(ctx);
  assert.equal(r.ok, false);
  assert.match(r.ok ? '' : r.error.message, /^cannot read .*model\.onnx: /);
});

test('a model the check cannot run on its inputs is declined with that cause, not failed', async () => {
  const { ctx, dir } = await stageContext(config, inputs, optimize.outputs);
  const input = join(dir, 'model.onnx');
  // A Reshape to a fixed [5] of an input whose symbolic dim the check sets to its batch (2): 6 elements.
  const m = tiny({
    inputs: { x: ['N', 3] },
    outputs: ['y'],
    outputTypes: { y: [5] },
    nodes: [node('Identity', ['x'], ['i']), node('Reshape', ['i', 's'], ['y'])],
    initializers: [ints('s', [5])],
  });
  await writeFile(input, encodeModel(m));
  ctx.inputs = { ...inputs, model: input, validation: input };
  const r = await optimize.run(ctx);
  assert.ok(r.ok && r.value && 'declined' in r.value, 'declined, not failed');
  const cause =
    /^the check's own inputs could not run the ORIGINAL model in onnxruntime-node \(.+\), so nothing was compared$/;
  assert.match(r.ok && r.value ? r.value.declined : '', cause);
});

test('the stage honours ctx.signal: an aborted run stops with its reason', async () => {
  const { ctx, dir } = await stageContext(config, inputs, optimize.outputs);
  const input = join(dir, 'model.onnx');
  await writeFile(input, encodeModel(raw()));
  const controller = new AbortController();
  const reason = new Error('SIGINT');
  controller.abort(reason);
  Object.assign(ctx, { inputs: { ...inputs, model: input, validation: input }, signal: controller.signal });
  await assert.rejects(optimize.run(ctx), (e) => e === reason);
});
