/**
 * The user's model by its name, end to end through the shipped CLI, on a model optimize must decline (an
 * initializer holding NaN): graph.html and the report are still written, from the last model produced; both,
 * bench.json and `--json` name the file as given (with its sha256), never MobileNetV2 or `model.opt.onnx`; and
 * the model's own non-finite output is reported as the model's, naming the tensor, not blamed on the engines.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import type { BenchFile } from '../../measure/result.js';
import { floats, model, node, vi } from '../onnx/model-kit.js';
import { fromRoot } from '../repo-root.js';
import { readManifest, shippedCli } from './cli-kit.js';

test('optimize declines a NaN model: graph and report from the last model, the model named as given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-named-'));
  const artifacts = join(dir, 'artifacts');
  const bytes = encodeModel(
    model({
      inputs: [vi('x', DType.FLOAT, [1, 4])],
      outputs: [vi('y', DType.FLOAT, [1, 4])],
      initializers: [floats('w', [4], [1, Number.NaN, 3, 4])],
      nodes: [node('Add', ['x', 'w'], ['y'], {}, 'add')],
    }),
  );
  writeFileSync(join(dir, 'holds-nan.onnx'), bytes);
  const sha = createHash('sha256').update(bytes).digest('hex');
  const args = [
    'run',
    '--config',
    fromRoot('configs/ci.yaml'),
    '--model',
    'holds-nan.onnx',
    '--set',
    'bench.engines=[ort]',
  ];
  const r = await shippedCli([...args, '--artifacts', artifacts], dir);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { model?: unknown };
  assert.deepEqual(out.model, { name: 'holds-nan', path: 'holds-nan.onnx' });

  const stages = readManifest(artifacts).stages;
  assert.equal(stages['optimize']?.status, 'skipped');
  assert.equal(stages['graph']?.status, 'built', stages['graph']?.reason);
  assert.equal(stages['report']?.status, 'built', stages['report']?.reason);

  const page = readFileSync(join(artifacts, 'latest', 'graph.html'), 'utf8');
  assert.match(page, /<title>holds-nan: imported and optimized graphs<\/title>/);
  assert.match(page, /Imported \(as given\)/);
  assert.match(page, /Not optimized \(optimize declined/);
  assert.doesNotMatch(page, /MobileNetV2|as built/);

  const bench = JSON.parse(readFileSync(join(artifacts, 'latest', 'bench.json'), 'utf8')) as BenchFile;
  assert.deepEqual(bench.model.source, { name: 'holds-nan', path: 'holds-nan.onnx', sha256: sha });
  assert.match(bench.reference?.notFinite ?? '', /the model's own output 'y' is not finite .*initializer 'w'/);
  assert.ok(bench.measurements.length > 0);
  assert.ok(
    bench.measurements.every((m) => m.correctness === undefined),
    'no engine is judged against a NaN reference',
  );
  assert.ok(!r.records.some((l) => /outside tolerance/.test(String(l['msg']))), 'no engine blamed');
  assert.ok(r.records.some((l) => l['stage'] === 'benchmark' && /own output 'y' is not finite/.test(String(l['msg']))));

  const report = readFileSync(join(artifacts, 'latest', 'report.md'), 'utf8');
  assert.match(report, new RegExp(`holds-nan \\(holds-nan\\.onnx, sha256 ${sha.slice(0, 12)}\\)`));
  assert.match(report, new RegExp(`holds-nan: holds-nan\\.onnx, sha256 ${sha}`));
  assert.match(report, /optimize declined/);
});
