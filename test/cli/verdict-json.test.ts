/**
 * `bench --json` on configs/ci.yaml (onnxruntime only, to stay quick), through the shipped CLI: stdout's run
 * summary carries the benchmark's verdict per batch size (its stage `summary`), the same as bench.json's
 * `recommendation`, and every measurement has its load, calibration rounds and noise verdict.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchFile } from '../../measure/result.js';
import type { Recommendation } from '../../measure/verdict.js';
import { assertOneLineError, shippedCli } from './cli-kit.js';

test('bench --json carries the verdict per batch size, as bench.json records it', async () => {
  const artifacts = await mkdtemp(join(tmpdir(), 'ef-verdict-'));
  const set = ['--set', 'bench.engines=[ort]', '--set', 'bench.runs=12'];
  const r = await shippedCli(['bench', '--config', 'configs/ci.yaml', '--artifacts', artifacts, ...set]);
  assert.equal(r.exitCode, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { stages: { stage: string; summary?: Record<string, unknown> }[] };
  const summary = out.stages.find((s) => s.stage === 'benchmark')?.summary;
  const bench = JSON.parse(await readFile(join(artifacts, 'latest', 'bench.json'), 'utf8')) as BenchFile;
  assert.deepEqual(summary?.['recommendation'], bench.recommendation, 'the verdict bench.json holds');
  assert.equal(summary?.['noisy'], bench.measurements.filter((m) => m.noise?.noisy).length);
  const verdict = summary?.['recommendation'] as Recommendation;
  assert.deepEqual(
    verdict.batches.map((b) => b.batch),
    [1, 4],
    'one verdict per batch size of configs/ci.yaml',
  );
  for (const b of verdict.batches)
    assert.match(b.sentence, /^Batch \d: (ship ort (fp32|fp16|int8) |no recommendation — )/);
  for (const m of bench.measurements) {
    const rounds = m.load?.calibrationMs?.length ?? 0;
    const n = m.samplesMs.length;
    assert.ok(rounds >= 1 && rounds <= n, `${rounds} calibration rounds between ${n} samples`);
    assert.equal(typeof m.noise?.noisy, 'boolean');
  }
  const logged = r.records.filter((l) => /^Batch \d: /.test(String(l['msg'])));
  assert.equal(logged.length, 2, 'the stage logs the verdict too');
});

test('decide.rel_l2 takes the known precisions: a misspelt one is a usage error naming the right one', async () => {
  const r = await shippedCli(['plan', '--config', 'configs/ci.yaml', '--set', 'decide.rel_l2.FP16=0.005']);
  assertOneLineError(r, 2, /unknown field decide\.rel_l2\.FP16 \(did you mean fp16\?\)/);
});
