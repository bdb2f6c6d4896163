/**
 * The compiled PyTorch engines on a model whose input dimensions are named: PP-OCR's direction classifier from
 * the real-model corpus (`p2o.DynamicDimension.1` and `.2`, given by its config's model.dims), through the
 * shipped CLI with the project's torch 2.13 on the CPU. engine:torch-compile:fp32 is built for the shapes the
 * benchmark feeds and the benchmark loads it; torch.export refuses the model's data-dependent Reshape, so
 * engine:torch-aoti:fp32 is skipped as `unsupported-model` with torch's first line, never failed, and the next
 * run takes that decline from the store with its cause.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchFile } from '../../measure/result.js';
import { readManifest, shippedCli } from '../cli/cli-kit.js';
import { realModels } from '../corpus/models.js';
import { fromRoot } from '../repo-root.js';

realModels('ppocr_mobile_v2_cls');
const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-named-dims-')), 'artifacts');
const config = fromRoot('configs/examples/ppocr_mobile_v2_cls.yaml');
// FP32 only (no FP16 conversion or INT8 quantization to wait for); one batch, one compile.
const args = [
  '--precision',
  'fp32',
  '--set',
  'bench.engines=[torch-compile,torch-aoti]',
  '--set',
  'bench.batch_sizes=[1]',
];
const COMPILE = 'engine:torch-compile:fp32';
const AOTI = 'engine:torch-aoti:fp32';
const REFUSED = /^torch\.export failed: Could not extract specialized integer from data-dependent expression u0\b.*$/;

test('torch-compile built for model.dims and loaded by the benchmark; AOTI declined as unsupported-model', async () => {
  const quick = ['--set', 'bench.runs=3', '--set', 'bench.max_seconds=1', '--set', 'bench.warmup=1'];
  // Two compiles of a model that breaks into ~37 graphs (the build's cold one, the benchmark's warm one).
  const r = await shippedCli(
    ['bench', '--config', config, '--artifacts', artifacts, ...args, ...quick],
    fromRoot(),
    590_000,
  );
  assert.equal(r.exitCode, 0, r.stderr);
  const stages = readManifest(artifacts).stages;
  assert.equal(stages[COMPILE]?.status, 'built', stages[COMPILE]?.reason);
  assert.deepEqual([stages[AOTI]?.status, stages[AOTI]?.cause], ['skipped', 'unsupported-model']);
  assert.match(stages[AOTI]?.reason ?? '', REFUSED);
  const bench = JSON.parse(readFileSync(join(artifacts, 'latest', 'bench.json'), 'utf8')) as BenchFile;
  const compiled = bench.measurements.filter((m) => m.engine === 'torch-compile');
  assert.deepEqual(
    compiled.map((m) => m.batch),
    [1],
    JSON.stringify(bench.skipped),
  );
  assert.equal(compiled[0]!.settings['compileCache'], 'loaded', 'the benchmark started from the stored engine');
  assert.ok(compiled[0]!.correctness!.ok, JSON.stringify(compiled[0]!.correctness));
  const aoti = bench.skipped.find((s) => s.engine === 'torch-aoti');
  assert.deepEqual([aoti?.kind, aoti?.reason], ['no-model', 'engine:torch-aoti:fp32 built no package']);
});

test('the next run builds nothing: the engine and the decline, with its cause, come from the store', async () => {
  const r = await shippedCli(['engines', '--config', config, '--artifacts', artifacts, ...args]);
  assert.equal(r.exitCode, 0, r.stderr);
  const stages = readManifest(artifacts).stages;
  assert.equal(stages[COMPILE]?.status, 'cached');
  assert.deepEqual([stages[AOTI]?.status, stages[AOTI]?.cause], ['skipped', 'unsupported-model']);
  assert.match(stages[AOTI]?.reason ?? '', REFUSED);
});
