import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project } from './toy.js';

const BUILT = ['source', 'upper', 'count', 'toy:join', 'side', 'measure'];

test('first run builds, second run is all cached except the never-cached measurement', async () => {
  const p = project();
  const first = await cli(p, ['run']);
  assert.equal(first.code, 0, first.stderr);
  assert.deepEqual(p.takeRuns().sort(), [...BUILT].sort());
  const m1 = manifest(p);
  assert.equal(m1.stages['toy:join']?.status, 'built');
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'joined.txt'), 'utf8'), 'HELLO {"n":10}');

  const second = await cli(p, ['run']);
  assert.equal(second.code, 0, second.stderr);
  assert.deepEqual(p.takeRuns(), ['measure']);
  const m2 = manifest(p);
  for (const s of ['source', 'upper', 'count', 'toy:join', 'side']) {
    assert.equal(m2.stages[s]?.status, 'cached', s);
    assert.equal(m2.stages[s]?.key, m1.stages[s]?.key, s);
  }
  assert.equal(m2.stages['measure']?.status, 'built');
});

test('changing one config field rebuilds exactly the stages that depend on it; --explain names the field', async () => {
  const p = project('src:\n  text: hello\ncount:\n  factor: 2\n');
  assert.equal((await cli(p, ['run'])).code, 0);
  p.takeRuns();
  p.writeConfig('src:\n  text: hello\ncount:\n  factor: 3\n');
  const r = await cli(p, ['run', '--explain']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns().sort(), ['count', 'measure', 'toy:join']);
  const countMiss = r.records.find((x) => x['stage'] === 'count' && x['status'] === 'running');
  assert.deepEqual(countMiss?.['explain'], ['config factor changed 2 → 3']);
  const joinMiss = r.records.find((x) => x['stage'] === 'toy:join' && x['status'] === 'running');
  assert.match(String((joinMiss?.['explain'] as string[])[0]), /^input count changed/);
  assert.equal(JSON.parse(readFileSync(join(p.artifacts, 'latest', 'count.json'), 'utf8')).n, 15);
});

test('an upstream rebuild with identical bytes leaves its consumers cached', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  p.takeRuns();
  const r = await cli(p, ['join'], { TOY_UPPER_VERSION: '1' });
  assert.equal(r.code, 0);
  assert.deepEqual(p.takeRuns(), []);
  // --force reruns upper, whose output is byte-identical, so toy:join keeps its key and stays cached.
  const forced = await cli(p, ['join', '--force']);
  assert.equal(forced.code, 0);
  assert.deepEqual(p.takeRuns().sort(), ['count', 'source', 'toy:join', 'upper']);
});

test('bumping a stage version rebuilds it and its dependents, nothing else', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  p.takeRuns();
  const r = await cli(p, ['join', '--explain'], { TOY_UPPER_VERSION: '2' });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns(), ['upper', 'toy:join']);
  const miss = r.records.find((x) => x['stage'] === 'upper' && x['status'] === 'running');
  assert.deepEqual(miss?.['explain'], ['stage version 1 → 2']);
  const m = manifest(p);
  assert.equal(m.stages['source']?.status, 'cached');
  assert.equal(m.stages['count']?.status, 'cached');
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'joined.txt'), 'utf8'), 'HELLO! {"n":10}');
});

test("changing the root stage's config rebuilds everything downstream of it", async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  p.takeRuns();
  p.writeConfig('src:\n  text: other\n');
  const r = await cli(p, ['join']);
  assert.equal(r.code, 0);
  assert.deepEqual(p.takeRuns().sort(), ['count', 'source', 'toy:join', 'upper']);
});

test('plan reports hit and miss without running any stage', async () => {
  const p = project();
  const before = await cli(p, ['plan', '--json']);
  assert.equal(before.code, 0, before.stderr);
  const plan = JSON.parse(before.stdout) as { stages: Array<{ stage: string; status: string; key?: string }> };
  const by = Object.fromEntries(plan.stages.map((s) => [s.stage, s]));
  assert.equal(by['source']?.status, 'miss');
  assert.equal(by['upper']?.status, 'pending');
  assert.equal(by['tooled']?.status, 'skipped');
  assert.deepEqual(p.takeRuns(), []);

  assert.equal((await cli(p, ['run'])).code, 0);
  p.takeRuns();
  const after = JSON.parse((await cli(p, ['plan', '--json'])).stdout) as typeof plan;
  const m = manifest(p);
  for (const s of after.stages) {
    if (s.stage === 'measure') assert.equal(s.status, 'miss');
    else if (s.stage === 'tooled' || s.stage === 'after-tool') assert.equal(s.status, 'skipped');
    else {
      assert.equal(s.status, 'hit', s.stage);
      assert.equal(s.key, m.stages[s.stage]?.key);
    }
  }
  assert.deepEqual(p.takeRuns(), []);
});
