/**
 * The door for the user's own model, through the shipped CLI: `--model FILE` and `model.path`, the content key
 * of the import stage, relative paths, `--dim`, and the mixing rule between a file and MobileNetV2's fields.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { DType } from '../../onnx/ir.js';
import { decodeModel, encodeModel } from '../../onnx/serde.js';
import { decodeTensorFile, makeTensor, tensorValues } from '../../onnx/tensor.js';
import { realModels } from '../corpus/models.js';
import { floats, model, node, vi } from '../onnx/model-kit.js';
import { fromRoot } from '../repo-root.js';
import { assertOneLineError, readManifest, shippedCli } from './cli-kit.js';

const { onnx } = onnxProto;
const dir = mkdtempSync(join(tmpdir(), 'ef-import-'));
const artifacts = join(dir, 'artifacts');
const small = realModels('oww_hey_rhasspy')[0]!.file;

/** The offset in `bytes` of the largest initializer's raw data: a byte there changes a weight, nothing else. */
function weightOffset(bytes: Uint8Array): number {
  const m = decodeModel(bytes);
  assert.ok(m.ok);
  const raw = m.value.graph.initializers
    .map((t) => t.proto.rawData)
    .filter((r): r is Uint8Array => !!r)
    .sort((a, b) => b.length - a.length)[0]!;
  return raw.byteOffset - bytes.byteOffset + Math.floor(raw.length / 2);
}

test('--model: the file imported as given, keyed by content: rename and touch hit, a changed byte misses', async () => {
  const models = join(dir, 'models');
  mkdirSync(models);
  const a = join(models, 'a.onnx');
  copyFileSync(small, a);
  const first = await shippedCli(['validate', '--model', a, '--artifacts', artifacts]);
  assert.equal(first.exitCode, 0, first.stderr);
  const m1 = readManifest(artifacts).stages;
  assert.equal(m1['import']?.status, 'built');
  assert.equal(m1['build']?.status, 'skipped');
  assert.match(m1['build']?.reason ?? '', /model comes from a file/);
  assert.equal(
    Buffer.compare(readFileSync(join(artifacts, 'latest', 'model.onnx')), readFileSync(small)),
    0,
    'same bytes as given',
  );

  const b = join(models, 'renamed.onnx');
  renameSync(a, b);
  utimesSync(b, new Date(), new Date(Date.now() + 60_000));
  const renamed = await shippedCli(['validate', '--model', b, '--artifacts', artifacts]);
  assert.equal(renamed.exitCode, 0, renamed.stderr);
  const m2 = readManifest(artifacts).stages;
  assert.equal(m2['import']?.status, 'cached');
  assert.equal(m2['import']?.key, m1['import']?.key);
  assert.equal(m2['validate']?.status, 'cached');

  const bytes = readFileSync(b);
  bytes[weightOffset(bytes)]! ^= 0x01;
  writeFileSync(b, bytes);
  const changed = await shippedCli(['validate', '--model', b, '--artifacts', artifacts]);
  assert.equal(changed.exitCode, 0, changed.stderr);
  const m3 = readManifest(artifacts).stages;
  assert.equal(m3['import']?.status, 'built');
  assert.notEqual(m3['import']?.key, m1['import']?.key);
});

test("model.path resolves against the config's folder; --model replaces a MobileNetV2 config's model", async () => {
  const cfgDir = join(dir, 'cfg', 'deep');
  mkdirSync(cfgDir, { recursive: true });
  copyFileSync(small, join(dir, 'cfg', 'm.onnx'));
  const cfg = join(cfgDir, 'own.yaml');
  writeFileSync(cfg, 'model:\n  path: ../m.onnx\n');
  const r = await shippedCli(['validate', '--config', cfg, '--artifacts', artifacts], dir);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(readManifest(artifacts).stages['import']?.status, 'cached', "the same content as the first test's file");

  // configs/ci.yaml describes MobileNetV2; --model takes its place, the MobileNetV2 fields go unused.
  const ci = await shippedCli(['validate', '--config', 'configs/ci.yaml', '--model', small, '--artifacts', artifacts]);
  assert.equal(ci.exitCode, 0, ci.stderr);
  assert.equal(readManifest(artifacts).stages['build']?.status, 'skipped');
});

test('a config that names a file and sets MobileNetV2 fields is an error naming both fields', async () => {
  const cfg = join(dir, 'mixed.yaml');
  writeFileSync(cfg, `model:\n  path: ${small}\n  width_mult: 0.5\n`);
  const r = await shippedCli(['validate', '--config', cfg, '--artifacts', artifacts]);
  assertOneLineError(r, 2, /mixed\.yaml:3:\d+: model\.path and model\.width_mult are both set/);
});

test('MobileNetV2 fields given through --set with --model are the same error as in a config file', async () => {
  const r = await shippedCli(['validate', '--model', small, '--set', 'model.width_mult=0.5', '--artifacts', artifacts]);
  assertOneLineError(r, 2, /^--set model\.width_mult=0\.5: model\.path and model\.width_mult are both set/);
});

test('a --dim naming no input is exit 2 with did-you-mean, before anything runs', async () => {
  const fresh = join(dir, 'dim-artifacts');
  const r = await shippedCli(['validate', '--model', small, '--dim', 'batchsize=3', '--artifacts', fresh]);
  assertOneLineError(r, 2, /dimension 'batchsize' \(--dim batchsize=… or model\.dims\) names no dimension/);
  assert.throws(() => readManifest(fresh), 'nothing ran');
});

test('a dimension without a value is exit 2 before anything runs; --dim gives it', async () => {
  const cls = realModels('ppocr_mobile_v2_cls')[0]!.file;
  const fresh = join(dir, 'fresh-artifacts');
  const r = await shippedCli(['validate', '--model', cls, '--artifacts', fresh]);
  assertOneLineError(
    r,
    2,
    new RegExp(
      String.raw`input 'x' .*dimension 2 \('p2o\.DynamicDimension\.1'\) has no value: ` +
        String.raw`set model\.dims.* or pass --dim p2o\.DynamicDimension\.1=N`,
    ),
  );
  assert.throws(() => readManifest(fresh), 'nothing ran');
  const dims = ['--dim', 'p2o.DynamicDimension.1=48', '--dim', 'p2o.DynamicDimension.2=192'];
  const ok = await shippedCli(['optimize', '--model', cls, ...dims, '--artifacts', fresh]);
  assert.equal(ok.exitCode, 0, ok.stderr);
  assert.equal(readManifest(fresh).stages['optimize']?.status, 'built');
  const bad = await shippedCli(['validate', '--model', cls, '--dim', 'p2o.DynamicDimension.1=0', '--artifacts', fresh]);
  assertOneLineError(bad, 2, /--dim "p2o\.DynamicDimension\.1=0": expected NAME=VALUE with a positive integer/);
});

test('the example configs name their model relative to their own folder', () => {
  for (const m of realModels()) {
    const text = readFileSync(fromRoot('configs', 'examples', `${m.name}.yaml`), 'utf8');
    assert.match(text, new RegExp(`path: \\.\\./\\.\\./\\.cache/models/${m.name}\\.onnx`), m.name);
  }
});

test('optimize declines (NaN from the original on check data): skipped, exit 0, FP16 takes the import', async () => {
  const d = join(dir, 'declines');
  mkdirSync(join(d, 'check'), { recursive: true });
  const sqrt = model({
    inputs: [vi('x', DType.FLOAT, ['N', 4])],
    outputs: [vi('y', DType.FLOAT, ['N', 4])],
    initializers: [floats('w', [4], [1, 2, 3, 4])],
    nodes: [node('Sqrt', ['x'], ['s']), node('Identity', ['s'], ['i']), node('Add', ['i', 'w'], ['y'])],
  });
  writeFileSync(join(d, 'sqrt.onnx'), encodeModel(sqrt));
  const negative = makeTensor(
    'x',
    DType.FLOAT,
    [3, 4],
    Float32Array.from({ length: 12 }, (_, i) => -1 - i),
  );
  writeFileSync(join(d, 'check', 'input_0.pb'), onnx.TensorProto.encode(negative.proto).finish());
  writeFileSync(join(d, 'own.yaml'), 'model:\n  path: sqrt.onnx\n  check_data: check\n');
  const fresh = join(d, 'artifacts');
  const r = await shippedCli(['onnx', '--config', join(d, 'own.yaml'), '--artifacts', fresh]);
  assert.equal(r.exitCode, 0, r.stderr);
  const s = readManifest(fresh).stages;
  assert.equal(s['optimize']?.status, 'skipped');
  assert.match(s['optimize']?.reason ?? '', /ORIGINAL model's output 'y' is not finite/);
  // convert:fp16 ran on the imported model (it did not stop at "needs optimize"), and declined for its own reason.
  assert.equal(s['convert:fp16']?.status, 'skipped');
  assert.match(s['convert:fp16']?.reason ?? '', /not finite/);
  const again = await shippedCli(['onnx', '--config', join(d, 'own.yaml'), '--artifacts', fresh]);
  assert.equal(again.exitCode, 0, again.stderr);
  assert.equal(readManifest(fresh).stages['optimize']?.status, 'skipped', 'the decline is cached with its key');
  assert.ok(!again.records.some((l) => l['stage'] === 'optimize' && l['status'] === 'running'), 'not redone');
});

test("from the user's own folder: a relative --model, no --config (the package's default config is used)", async () => {
  const own = join(dir, 'own-folder');
  mkdirSync(own);
  copyFileSync(small, join(own, 'mine.onnx'));
  const r = await shippedCli(['validate', '--model', 'mine.onnx'], own);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal(readManifest(join(own, 'artifacts')).stages['validate']?.status, 'built');
});

test("output_N.pb in the check data: the original's outputs against the publisher's; a difference warned", async () => {
  const d = join(dir, 'expected');
  const relu = '/usr/share/libonnx-testdata/data/node/test_relu';
  mkdirSync(join(d, 'check'), { recursive: true });
  copyFileSync(join(relu, 'model.onnx'), join(d, 'relu.onnx'));
  copyFileSync(join(relu, 'test_data_set_0', 'input_0.pb'), join(d, 'check', 'input_0.pb'));
  copyFileSync(join(relu, 'test_data_set_0', 'output_0.pb'), join(d, 'check', 'output_0.pb'));
  writeFileSync(join(d, 'own.yaml'), 'model:\n  path: relu.onnx\n  check_data: check\n');
  const run = () => shippedCli(['optimize', '--config', join(d, 'own.yaml'), '--artifacts', join(d, 'artifacts')]);
  const checked = () =>
    JSON.parse(readFileSync(join(d, 'artifacts', 'latest', 'passes.json'), 'utf8')).check.expected.outputs.y;

  const same = await run();
  assert.equal(same.exitCode, 0, same.stderr);
  const exact = checked();
  assert.deepEqual([exact.maxAbs, exact.relL2, exact.error], [0, 0, 0], "ONNX's Relu test data, reproduced exactly");
  assert.ok(same.records.some((l) => /reproduces the check data's expected outputs/.test(String(l['msg']))));

  const expected = await decodeTensorFile(join(d, 'check', 'output_0.pb'));
  assert.ok(expected.ok);
  const values = tensorValues(expected.value);
  assert.ok(values.ok);
  const doubled = makeTensor(
    'y',
    DType.FLOAT,
    expected.value.dims,
    Float32Array.from(values.value as Float32Array, (v) => 2 * v),
  );
  writeFileSync(join(d, 'check', 'output_0.pb'), onnx.TensorProto.encode(doubled.proto).finish());
  const differs = await run();
  assert.equal(differs.exitCode, 0, 'a difference from the expected outputs is reported, not failed');
  // Against twice the values: ‖y − 2y‖ / ‖2y‖ = 0.5.
  assert.ok(Math.abs(checked().relL2 - 0.5) < 1e-6, JSON.stringify(checked()));
  const warned = differs.records.filter(
    (l) => l['level'] === 40 && /differs from the check data's expected/.test(String(l['msg'])),
  );
  assert.equal(warned.length, 1, differs.stderr);
  assert.match(String(warned[0]!['msg']), /'y' 5\.00e-1/);
});
