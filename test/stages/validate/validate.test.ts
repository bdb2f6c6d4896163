import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType, type Model } from '../../../onnx/ir.js';
import { encodeModel } from '../../../onnx/serde.js';
import { exec } from '../../../pipeline/execute/exec.js';
import stage, { type Context } from '../../../stages/validate/index.js';
import { validateConfig, type ValidateConfig } from '../../../stages/validate/config.js';
import { realModels } from '../../corpus/models.js';
import { model, node, smallNet, vi } from '../../onnx/model-kit.js';
import { withBodies } from '../../onnx/subgraph-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'ef-validate-stage-'));

function context(modelPath: string, config: ValidateConfig) {
  const warnings: string[] = [];
  const infos: string[] = [];
  const ctx: Context = {
    config,
    inputs: { model: modelPath, source: undefined },
    out: (label) => join(dir, `${label}.out.json`),
    persistent: (name) => join(dir, name),
    workDir: dir,
    tools: {},
    exec,
    log: { info: (m) => infos.push(m), warn: (m) => warnings.push(m), progress: () => {} },
    signal: new AbortController().signal,
    options: {},
  };
  return { ctx, warnings, infos };
}

function file(name: string, content: Uint8Array | Model): string {
  const path = join(dir, name);
  writeFileSync(path, content instanceof Uint8Array ? content : encodeModel(content));
  return path;
}

test('config: only the validate section; model.opset describes the built model and is not read', () => {
  const config = validateConfig({ model: { opset: 11 }, validate: { fail_on_unchecked: true } });
  assert.deepEqual(config, { fail_on_unchecked: true });
  assert.deepEqual(validateConfig({}), { fail_on_unchecked: false });
  assert.deepEqual(stage.outputs, { report: 'validation.json' });
});

test('a valid model writes validation.json with the report', async () => {
  const path = file('good.onnx', smallNet(13));
  const { ctx } = context(path, { fail_on_unchecked: false });
  const r = await stage.run(ctx);
  assert.deepEqual(r, { ok: true, value: undefined });
  const report = JSON.parse(readFileSync(ctx.out('report'), 'utf8'));
  assert.equal(report.ok, true);
  assert.equal(report.opset, 13);
  assert.deepEqual(report.unchecked, []);
});

test('an empty, truncated or garbage file is one message naming the file', async () => {
  const good = encodeModel(smallNet(13));
  const bad = {
    'empty.onnx': new Uint8Array(),
    'truncated.onnx': good.slice(0, Math.floor(good.length / 2)),
    'garbage.onnx': new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 97 + 13) % 256)),
  };
  for (const [name, bytes] of Object.entries(bad)) {
    const path = file(name, bytes);
    const r = await stage.run(context(path, { fail_on_unchecked: false }).ctx);
    assert.equal(r.ok, false, name);
    if (r.ok) continue;
    assert.ok(r.error.message.includes(path), `${name}: ${r.error.message}`);
    assert.doesNotMatch(r.error.message, /\n\s+at /, 'no stack trace');
  }
  const missing = await stage.run(context(join(dir, 'absent.onnx'), { fail_on_unchecked: false }).ctx);
  assert.equal(missing.ok, false);
  assert.match(missing.ok ? '' : missing.error.message, /absent\.onnx: no such file/);
});

test('an invalid model fails with the file, the node and the rest as details', async () => {
  const m = smallNet(13);
  m.graph.nodes[2] = node('Relu', ['nowhere'], ['r'], {}, 'relu0');
  m.graph.nodes[4] = node('Flatten', ['p'], ['f'], { axis: 1, bogus: 2 }, 'flat');
  const path = file('dangling.onnx', m);
  const r = await stage.run(context(path, { fail_on_unchecked: false }).ctx);
  assert.equal(r.ok, false);
  if (r.ok) return;
  assert.match(
    r.error.message,
    new RegExp(
      `^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ` +
        "is not a valid opset-13 model: node relu0 \\(Relu\\) reads 'nowhere'",
    ),
  );
  assert.ok(
    r.error.details?.some((d) => d.includes("attribute 'bogus'")),
    JSON.stringify(r.error.details),
  );
});

test('a model is validated at the opset it imports, whatever model.opset says', async () => {
  const path = file('op11.onnx', smallNet(11));
  const r = await stage.run(context(path, validateConfig({ model: { opset: 17 } })).ctx);
  assert.deepEqual(r, { ok: true, value: undefined });
  assert.equal(JSON.parse(readFileSync(join(dir, 'report.out.json'), 'utf8')).opset, 11);
});

test('unchecked operators warn, or fail with fail_on_unchecked', async () => {
  const m = model(
    {
      inputs: [vi('x', DType.FLOAT, [4])],
      outputs: [vi('y', DType.FLOAT, [4])],
      nodes: [{ ...node('FastGelu', ['x'], ['y'], {}, 'gelu'), domain: 'com.microsoft' }],
    },
    13,
  );
  m.opsetImports.push({ domain: 'com.microsoft', version: 1 });
  const path = file('contrib.onnx', m);
  const lenient = context(path, { fail_on_unchecked: false });
  assert.equal((await stage.run(lenient.ctx)).ok, true);
  assert.match(lenient.warnings.join('\n'), /1 FastGelu node\(s\) in domain 'com\.microsoft' not checked/);
  assert.ok(existsSync(lenient.ctx.out('report')));
  const strict = await stage.run(context(path, { fail_on_unchecked: true }).ctx);
  assert.equal(strict.ok, false);
  assert.match(strict.ok ? '' : strict.error.message, /outside the schema table: com\.microsoft::FastGelu \(1\)/);
});

test('a real model whose nodes sit in If bodies reads as such: every node counted and checked', async () => {
  const [vad] = realModels('silero_vad_v5');
  const run = context(vad!.file, { fail_on_unchecked: true });
  assert.deepEqual(await stage.run(run.ctx), { ok: true, value: undefined });
  assert.deepEqual(run.infos, [
    'valid opset-16 model: 689 nodes (684 inside 50 nested graphs): 689 checked, 0 not checked',
  ]);
  assert.deepEqual(run.warnings, []);
  const report = JSON.parse(readFileSync(run.ctx.out('report'), 'utf8'));
  assert.deepEqual(report.nodes, { total: 689, inSubgraphs: 684, subgraphs: 50, checked: 689, unchecked: 0 });
});

test('an invalid body fails the stage naming the node that holds it and the body', async () => {
  const m = model(
    {
      inputs: [vi('x', DType.FLOAT, [2])],
      outputs: [vi('y', DType.FLOAT, [2])],
      nodes: [
        node('Greater', ['x', 'x'], ['c'], {}, 'cond'),
        withBodies(node('If', ['c'], ['y'], {}, 'gate'), {
          then_branch: { nodes: [node('Relu', ['nowhere'], ['t'], {}, 'inner')], outputs: [vi('t', DType.FLOAT, [2])] },
          else_branch: { nodes: [], outputs: [vi('x', DType.FLOAT, [2])] },
        }),
      ],
    },
    16,
  );
  const path = file('bad-body.onnx', m);
  const r = await stage.run(context(path, { fail_on_unchecked: false }).ctx);
  assert.equal(r.ok, false);
  const expected =
    /not a valid opset-16 model: in the then_branch of If node 'gate': node inner \(Relu\) reads 'nowhere'/;
  assert.match(r.ok ? '' : r.error.message, expected);
});
