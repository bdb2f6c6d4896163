/**
 * Nothing a user measured is lost (issue 21): the benchmark's key holds what it measured, so a `--precision fp16`
 * run neither replaces the full benchmark nor is reused as it; `report` renders the newest complete benchmark and
 * says which; `cache gc` keeps the newest benchmark of each config and the report made from each.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BenchFile } from '../../measure/result.js';
import { readManifest, shippedCli } from './cli-kit.js';

const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-lost-')), 'artifacts');
const quick = [
  'bench.engines=[ort]',
  'bench.runs=10',
  'bench.max_seconds=1',
  'bench.warmup=1',
  'bench.batch_sizes=[1]',
];
const cli = (...args: string[]) =>
  shippedCli([...args, '--config', 'configs/ci.yaml', ...quick.flatMap((s) => ['--set', s]), '--artifacts', artifacts]);
const bench = () => JSON.parse(readFileSync(join(artifacts, 'latest', 'bench.json'), 'utf8')) as BenchFile;
const precisions = (b: BenchFile) => [...new Set(b.measurements.map((m) => m.precision))].sort();

test('a partial benchmark keeps its own key; report renders the newest complete one; gc keeps both', async () => {
  const full = await cli('run');
  assert.equal(full.exitCode, 0, full.stderr);
  const fullKey = readManifest(artifacts).stages['benchmark']?.key;
  const measured = bench().createdAt;
  assert.deepEqual(precisions(bench()), ['fp16', 'fp32', 'int8']);

  const partial = await cli('run', '--precision', 'fp16');
  assert.equal(partial.exitCode, 0, partial.stderr);
  assert.notEqual(readManifest(artifacts).stages['benchmark']?.key, fullKey, 'what it measured is in its key');
  assert.deepEqual(precisions(bench()), ['fp16']);

  const report = await cli('report');
  assert.equal(report.exitCode, 0, report.stderr);
  const stages = readManifest(artifacts).stages;
  assert.equal(stages['benchmark']?.key, fullKey, 'the complete benchmark, not the newest partial one');
  assert.equal(stages['benchmark']?.status, 'cached');
  assert.deepEqual(precisions(bench()), ['fp16', 'fp32', 'int8']);
  // It says which benchmark: its key and when it was made; the report's own header says when it was measured.
  const said = String(report.records.find((l) => l['stage'] === 'benchmark' && l['status'] === 'cached')?.['msg']);
  const made = new RegExp(`^reusing the newest result ${fullKey!.slice(0, 12)} \\(made (\\S+); its own command`);
  assert.match(said, made);
  const at = Date.parse(said.match(made)![1]!);
  assert.ok(at >= Date.parse(measured) && at < Date.parse(measured) + 60_000, said);
  assert.match(readFileSync(join(artifacts, 'latest', 'report.md'), 'utf8'), new RegExp(`measured ${measured}`));

  const gc = await shippedCli(['cache', 'gc', '--artifacts', artifacts]);
  assert.equal(gc.exitCode, 0, gc.stderr);
  const ls = await shippedCli(['cache', 'ls', '--artifacts', artifacts]);
  const rows = JSON.parse(ls.stdout) as Array<{ stage: string; key: string }>;
  const benches = rows.filter((r) => r.stage === 'benchmark');
  assert.equal(benches.length, 2, 'the full benchmark and the fp16 one');
  assert.ok(benches.some((r) => r.key === fullKey));
  assert.equal(rows.filter((r) => r.stage === 'report').length, 2, 'the report of each');
});
