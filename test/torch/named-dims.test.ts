/**
 * engine:torch-aoti on a model torch.export cannot take: PP-OCR's direction classifier from the real-model corpus,
 * whose inputs have named dimensions (`p2o.DynamicDimension.1` and `.2`, given by its config's model.dims),
 * through the shipped CLI with the project's torch 2.13 on the CPU. The export runs on the benchmark's inputs at
 * those shapes and stops at the model's data-dependent Reshape: the stage is skipped as `unsupported-model` with
 * torch's first line, never failed, and the next run takes that decline from the store with its cause. (Its
 * torch.compile engine builds and loads too, docs/compiled-engines.md; two compiles of this model take minutes
 * here, so the suite compiles named dimensions on a small net: compiled-cpu.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readManifest, shippedCli } from '../cli/cli-kit.js';
import { realModels } from '../corpus/models.js';
import { fromRoot } from '../repo-root.js';

realModels('ppocr_mobile_v2_cls');
const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-named-dims-')), 'artifacts');
const config = fromRoot('configs/examples/ppocr_mobile_v2_cls.yaml');
// FP32 only: no FP16 conversion or INT8 quantization to wait for.
const args = [
  '--config',
  config,
  '--artifacts',
  artifacts,
  '--precision',
  'fp32',
  '--set',
  'bench.engines=[torch-aoti]',
];
const AOTI = 'engine:torch-aoti:fp32';
const REFUSED = /^torch\.export failed: Could not extract specialized integer from data-dependent expression u0\b.*$/;

test('torch.export refuses the model: the AOTI stage is skipped as unsupported-model, the run succeeds', async () => {
  const r = await shippedCli(['engines', ...args]);
  assert.equal(r.exitCode, 0, r.stderr);
  const stage = readManifest(artifacts).stages[AOTI];
  assert.deepEqual([stage?.status, stage?.cause], ['skipped', 'unsupported-model'], stage?.reason);
  assert.match(stage?.reason ?? '', REFUSED);
});

test('the next run exports nothing: the decline, with its cause, comes from the store', async () => {
  const r = await shippedCli(['engines', ...args]);
  assert.equal(r.exitCode, 0, r.stderr);
  const stage = readManifest(artifacts).stages[AOTI];
  assert.deepEqual([stage?.status, stage?.cause], ['skipped', 'unsupported-model']);
  assert.match(stage?.reason ?? '', REFUSED);
  const hit = r.records.find((l) => l['stage'] === AOTI && String(l['msg']).endsWith(')'));
  assert.match(String(hit?.['msg']), /^torch\.export failed: .* \(hit [0-9a-f]{12}\)$/, 'taken from the store');
});
