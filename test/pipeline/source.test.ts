/**
 * The engine's notions for a user-supplied source, on toy stages: a user file keyed by content, a stage that
 * does not apply to the config, input fallbacks, declines, and project options with a preflight.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, renameSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project, type Project } from './toy.js';

const SOURCE = { TOY_REGISTRY: 'source' };
const run = (p: Project, args: string[]) => cli(p, args, SOURCE);
const latest = (p: Project, file: string) => readFileSync(join(p.artifacts, 'latest', file), 'utf8');

test('without a file the built-in source is used and the file stage is skipped with its reason', async () => {
  const p = project();
  const r = await run(p, ['final']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns(), ['source', 'picky', 'final']);
  assert.equal(manifest(p).stages['doc']?.status, 'skipped');
  assert.equal(manifest(p).stages['doc']?.reason, 'no doc.path');
  assert.equal(latest(p, 'final.txt'), '[HELLO]');
});

test('a user file is keyed by its content: rename and touch are hits, one changed byte a miss', async () => {
  const p = project();
  const a = join(p.dir, 'a.txt');
  writeFileSync(a, 'abc');
  assert.equal((await run(p, ['final', '--doc', a])).code, 0);
  assert.deepEqual(p.takeRuns(), ['doc', 'picky', 'final']);
  assert.equal(manifest(p).stages['source']?.status, 'skipped');
  assert.equal(latest(p, 'final.txt'), '[ABC]');
  const b = join(p.dir, 'b.txt');
  renameSync(a, b);
  utimesSync(b, new Date(), new Date(Date.now() + 5000));
  const renamed = await run(p, ['final', '--doc', b]);
  assert.equal(renamed.code, 0, renamed.stderr);
  assert.deepEqual(p.takeRuns(), [], 'renamed and touched: every stage a hit');
  writeFileSync(b, 'abd');
  assert.equal((await run(p, ['final', '--doc', b, '--explain'])).code, 0);
  assert.deepEqual(p.takeRuns(), ['doc', 'picky', 'final']);
  assert.equal(latest(p, 'final.txt'), '[ABD]');
});

test('a relative path in a config resolves against the config file, not the working directory', async () => {
  const p = project();
  mkdirSync(join(p.dir, 'texts'));
  writeFileSync(join(p.dir, 'texts', 'in.txt'), 'from the config folder');
  p.writeConfig('doc:\n  path: texts/in.txt\n');
  const r = await run(p, ['final']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(latest(p, 'final.txt'), '[FROM THE CONFIG FOLDER]');
  p.takeRuns();
  p.writeConfig('doc:\n  path: texts/absent.txt\n');
  const bad = await run(p, ['final']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /doc\.path .*texts\/absent\.txt: no such file/);
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.deepEqual(p.takeRuns(), [], 'nothing ran');
});

test('a stage that declines is skipped with its reason, the run exits 0, consumers take the last output', async () => {
  const p = project();
  const f = join(p.dir, 'd.txt');
  writeFileSync(f, 'please decline');
  const r = await run(p, ['final', '--doc', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns(), ['doc', 'picky', 'final']);
  const m = manifest(p);
  assert.equal(m.stages['picky']?.status, 'skipped');
  assert.equal(m.stages['picky']?.reason, 'picky: the text asks to be left alone');
  assert.equal(latest(p, 'final.txt'), '[please decline]', "final took the file stage's text");
  // The decline is a function of the key: the next run does not try again.
  const again = await run(p, ['final', '--doc', f]);
  assert.equal(again.code, 0);
  assert.deepEqual(p.takeRuns(), []);
  assert.equal(manifest(p).stages['picky']?.status, 'skipped');
  const plan = await run(p, ['plan', '--doc', f, '--json']);
  const stages = (JSON.parse(plan.stdout) as { stages: Array<{ stage: string; status: string }> }).stages;
  assert.deepEqual(
    stages.map((s) => `${s.stage}:${s.status}`),
    ['source:skipped', 'doc:hit', 'picky:skipped', 'final:hit', 'noted:miss'],
  );
});

test("a decline with a cause of the stage's own keeps it: in the manifest, from the store, in the plan", async () => {
  const p = project();
  const f = join(p.dir, 'r.txt');
  writeFileSync(f, 'please refuse');
  const said = (m: ReturnType<typeof manifest>) => [m.stages['picky']?.status, m.stages['picky']?.cause];
  assert.equal((await run(p, ['final', '--doc', f])).code, 0);
  assert.deepEqual(said(manifest(p)), ['skipped', 'toy-refused']);
  assert.equal(manifest(p).stages['picky']?.reason, 'picky: the text refuses');
  p.takeRuns();
  assert.equal((await run(p, ['final', '--doc', f])).code, 0);
  assert.deepEqual(p.takeRuns(), [], 'the decline is stored');
  assert.deepEqual(said(manifest(p)), ['skipped', 'toy-refused']);
  const plan = await run(p, ['plan', '--doc', f, '--json']);
  const stages = (JSON.parse(plan.stdout) as { stages: Array<{ stage: string; cause?: string }> }).stages;
  assert.equal(stages.find((s) => s.stage === 'picky')?.cause, 'toy-refused');
});

test('a consumer does not fall back past a stage that was skipped because something upstream failed', async () => {
  const p = project();
  const f = join(p.dir, 'f.txt');
  writeFileSync(f, 'please fail');
  const r = await run(p, ['final', '--doc', f]);
  assert.equal(r.code, 1, r.stderr);
  const m = manifest(p).stages;
  assert.equal(m['doc']?.status, 'failed');
  assert.equal(m['picky']?.status, 'skipped');
  assert.equal(m['final']?.status, 'skipped');
  assert.equal(m['final']?.reason, 'needs picky, which was skipped after a failure upstream');
  assert.deepEqual(p.takeRuns(), ['doc'], "the built-in source is not used in the failed file's place");
});

test('a companion file travels with its output: stored, beside it for consumers and in latest/, keyed', async () => {
  const p = project('doc:\n  note: first\n');
  const f = join(p.dir, 'n.txt');
  writeFileSync(f, 'text');
  const r = await run(p, ['noted', '--doc', f]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(latest(p, 'noted.txt'), 'text / first');
  assert.equal(latest(p, join('notes', 'note.txt')), 'first');
  p.takeRuns();
  // Same main bytes, another companion: the consumer's key changes with it.
  p.writeConfig('doc:\n  note: second\n');
  assert.equal((await run(p, ['noted', '--doc', f])).code, 0);
  assert.deepEqual(p.takeRuns(), ['doc', 'noted']);
  assert.equal(latest(p, 'noted.txt'), 'text / second');
  const verify = await run(p, ['cache', 'verify']);
  assert.equal(verify.code, 0, verify.stderr);
});
