import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project } from './toy.js';

test("latest stays whole: a partial command keeps the other stages' newest outputs for the same config", async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  assert.equal((await cli(p, ['side'])).code, 0);
  const m = manifest(p) as ReturnType<typeof manifest> & { stages: Record<string, { earlier?: boolean }> };
  assert.equal(m.stages['side']?.status, 'built');
  assert.equal(m.stages['toy:join']?.earlier, true);
  assert.equal(m.stages['side']?.earlier, undefined);
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'joined.txt'), 'utf8'), 'HELLO {"n":10}');
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'side.txt'), 'utf8'), 'n=1');

  // Another config: what was built for the old one no longer belongs in latest.
  p.writeConfig('src:\n  text: other\n');
  assert.equal((await cli(p, ['side'])).code, 0);
  assert.equal(existsSync(join(p.artifacts, 'latest', 'joined.txt')), false);
  assert.deepEqual(Object.keys(manifest(p).stages), ['side']);
});

test('cache gc prunes old views and says what it keeps and why', async () => {
  const p = project();
  for (let i = 0; i < 3; i++) assert.equal((await cli(p, ['join'])).code, 0);
  assert.equal(readdirSync(join(p.artifacts, 'views')).length, 3);
  p.writeConfig('src:\n  text: bye\n');
  assert.equal((await cli(p, ['join'])).code, 0);
  const r = await cli(p, ['cache', 'gc']);
  assert.equal(r.code, 0, r.stderr);
  const current = readlinkSync(join(p.artifacts, 'latest')).split('/').at(-1);
  assert.deepEqual(readdirSync(join(p.artifacts, 'views')), [current]);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^removed 4 entries, 0 objects \(0\.00 MB\), 0 abandoned tmp dirs, 3 old views$/);
  assert.equal(
    lines[1],
    "kept 4 entries: each stage's newest, every one a latest link names, and the newest measurement of each " +
      'config with what was made from it',
  );
  assert.equal(lines[2], `kept views/${current}: artifacts/latest, artifacts/latest-toy point to it`);
  assert.equal(
    lines[3],
    'kept 4 unreferenced objects younger than 1 h (a running build may be about to reference them)',
  );
  assert.equal((await cli(p, ['cache', 'verify'])).code, 0);
});

test('every object latest links is stamped as it now is, carried-over ones too: the next run hashes none', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  assert.equal((await cli(p, ['side'])).code, 0);
  const m = manifest(p) as ReturnType<typeof manifest> & { stages: Record<string, { earlier?: boolean }> };
  assert.equal(m.stages['toy:join']?.earlier, true, 'toy:join is carried over');
  const shas = Object.values(m.stages).flatMap((s) => Object.values(s.outputs).map((o) => o.sha256));
  assert.ok(shas.length >= 5);
  for (const sha of shas) {
    const s = statSync(join(p.artifacts, 'store', 'objects', sha.slice(0, 2), sha));
    const stamp = JSON.parse(
      readFileSync(join(p.artifacts, 'store', 'stamps', sha.slice(0, 2), `${sha}.json`), 'utf8'),
    );
    assert.deepEqual(stamp, { size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino }, sha);
  }
});

test('latest per config: a second config does not take over the first; gc keeps the views of both', async () => {
  const p = project();
  const other = join(p.dir, 'other.yaml');
  writeFileSync(other, 'src:\n  text: other\n');
  assert.equal((await cli(p, ['join'])).code, 0);
  const second = await cli({ ...p, config: other }, ['side']);
  assert.equal(second.code, 0, second.stderr);
  // `latest` is the newest run; each config keeps its own named view.
  assert.equal(readlinkSync(join(p.artifacts, 'latest')), readlinkSync(join(p.artifacts, 'latest-other')));
  assert.match(readlinkSync(join(p.artifacts, 'latest-toy')), /^views\/toy-/);
  assert.match(readlinkSync(join(p.artifacts, 'latest-other')), /^views\/other-/);
  assert.equal(readFileSync(join(p.artifacts, 'latest-toy', 'joined.txt'), 'utf8'), 'HELLO {"n":10}');
  assert.equal(existsSync(join(p.artifacts, 'latest', 'joined.txt')), false);

  // The first config again, a partial command: its own earlier outputs are carried over, not the other's.
  assert.equal((await cli(p, ['side'])).code, 0);
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'joined.txt'), 'utf8'), 'HELLO {"n":10}');

  const gc = await cli(p, ['cache', 'gc']);
  assert.equal(gc.code, 0, gc.stderr);
  const views = readdirSync(join(p.artifacts, 'views')).sort();
  assert.equal(views.length, 2, views.join(', '));
  assert.equal(readFileSync(join(p.artifacts, 'latest-other', 'side.txt'), 'utf8').length > 0, true);
  const verify = await cli(p, ['cache', 'verify']);
  assert.equal(verify.code, 0, verify.stderr);
});
