import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project, type Project } from './toy.js';

const entryFile = (p: Project, stage: string) => {
  const key = manifest(p).stages[stage]!.key!;
  return { key, path: join(p.artifacts, 'store', 'entries', stage, `${key}.json`) };
};
const objectPath = (p: Project, sha: string) => join(p.artifacts, 'store', 'objects', sha.slice(0, 2), sha);
const warnings = (r: { records: Array<Record<string, unknown>> }) =>
  r.records.filter((x) => x['level'] === 40).map((x) => String(x['msg']));

test('an entry whose sha256 is a path outside the store: refused, evicted, rebuilt; nothing else touched', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  const outside = join(p.dir, 'precious.txt');
  writeFileSync(outside, 'do not touch');
  const { key, path } = entryFile(p, 'upper');
  const entry = JSON.parse(readFileSync(path, 'utf8')) as { outputs: { text: { sha256: string } } };
  entry.outputs.text.sha256 = '../../../../precious.txt';
  writeFileSync(path, JSON.stringify(entry));
  p.takeRuns();

  const r = await cli(p, ['join']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(warnings(r), [
    `cache entry ${key.slice(0, 12)} is malformed (output text has no valid sha256): evicted, rebuilding`,
  ]);
  assert.deepEqual(p.takeRuns(), ['upper']);
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'upper.txt'), 'utf8'), 'HELLO');

  writeFileSync(path, JSON.stringify(entry));
  const verify = await cli(p, ['cache', 'verify']);
  assert.equal(verify.code, 1);
  assert.match(verify.stderr, /upper [0-9a-f]{12}: entry malformed \(output text has no valid sha256\); evicted/);
  assert.doesNotMatch(verify.stderr, /internal error/);
  assert.equal(readFileSync(outside, 'utf8'), 'do not touch');
});

test('damaged entries (null output, bad hash, no outputs, not JSON, stray cause): evicted, warned once', async () => {
  const damage: Array<[string, (e: Record<string, unknown>) => unknown]> = [
    ['output text is not an object', (e) => ({ ...e, outputs: { text: null } })],
    [
      'output text has no valid sha256',
      (e) => ({ ...e, outputs: { text: { ...(e['outputs'] as { text: object }).text, sha256: 42 } } }),
    ],
    ['its outputs are none, the stage declares text', (e) => ({ ...e, outputs: {} })],
    ['its key data does not hash to its key', (e) => ({ ...e, data: { ...(e['data'] as object), version: 7 } })],
    ['not JSON', () => '{"key": '],
    ["its decline's cause is malformed", (e) => ({ ...e, declinedCause: '../cause' })],
  ];
  for (const [why, change] of damage) {
    const p = project();
    assert.equal((await cli(p, ['join'])).code, 0);
    const { key, path } = entryFile(p, 'upper');
    const changed = change(JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>);
    writeFileSync(path, typeof changed === 'string' ? changed : JSON.stringify(changed));
    p.takeRuns();
    const ls = await cli(p, ['cache', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    const r = await cli(p, ['join']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(warnings(r), [`cache entry ${key.slice(0, 12)} is malformed (${why}): evicted, rebuilding`]);
    assert.deepEqual(p.takeRuns(), ['upper']);
    assert.equal((await cli(p, ['cache', 'verify'])).code, 0);
  }
});

test('a blob rewritten with its size and mtime restored (cp -p, a CI cache): caught on the next hit', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  assert.equal((await cli(p, ['join'])).code, 0);
  const sha = manifest(p).stages['upper']!.outputs['text']!.sha256;
  const path = objectPath(p, sha);
  const before = statSync(path);
  // Bytes of the same size, given the object's mtime, copied back over it with cp -p.
  const forged = join(p.dir, 'forged');
  writeFileSync(forged, 'JELLO');
  execFileSync('touch', ['-r', path, forged]);
  rmSync(path, { force: true });
  execFileSync('cp', ['-p', forged, path]);
  assert.equal(statSync(path).mtimeMs, before.mtimeMs);
  assert.equal(statSync(path).size, before.size);
  p.takeRuns();
  const r = await cli(p, ['join']);
  assert.equal(r.code, 0);
  assert.match(warnings(r).join('\n'), /output text \(upper\.txt\) is corrupted/);
  assert.deepEqual(p.takeRuns(), ['upper']);
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'upper.txt'), 'utf8'), 'HELLO');
});

/** A built toy whose `upper` output was changed behind the store's back, its stamp forged to vouch for it. */
async function forged(): Promise<Project> {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  const sha = manifest(p).stages['upper']!.outputs['text']!.sha256;
  const path = objectPath(p, sha);
  chmodSync(path, 0o644);
  writeFileSync(path, 'JELLO');
  // Forge the stamp, as a tool that could restore ctime and inode would.
  const s = statSync(path);
  const stamp = join(p.artifacts, 'store', 'stamps', sha.slice(0, 2), `${sha}.json`);
  writeFileSync(stamp, JSON.stringify({ size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino }));
  p.takeRuns();
  return p;
}

test('--verify re-hashes what a hit serves even when its stamp vouches for it', async () => {
  const p = await forged();
  const trusting = await cli(p, ['plan', '--json']);
  assert.equal(
    (JSON.parse(trusting.stdout) as { stages: Array<{ stage: string; status: string }> }).stages.find(
      (x) => x.stage === 'upper',
    )?.status,
    'hit',
  );
  const r = await cli(p, ['join', '--verify']);
  assert.equal(r.code, 0);
  assert.match(warnings(r).join('\n'), /output text \(upper\.txt\) is corrupted/);
  assert.deepEqual(p.takeRuns(), ['upper']);
});

test('CI=true turns --verify on by default (the tests run with CI cleared, so only this one sees it)', async () => {
  const p = await forged();
  const trusting = await cli(p, ['join'], { CI: 'false' });
  assert.equal(trusting.code, 0);
  assert.deepEqual(p.takeRuns(), [], 'without CI the stamp is trusted');
  const r = await cli(p, ['join'], { CI: 'true' });
  assert.equal(r.code, 0);
  assert.match(warnings(r).join('\n'), /output text \(upper\.txt\) is corrupted/);
  assert.deepEqual(p.takeRuns(), ['upper']);
});

test('config keys that reach a prototype are refused in files and in --set', async () => {
  const p = project('src:\n  text: hello\n  __proto__:\n    polluted: true\n');
  const file = await cli(p, ['join']);
  assert.equal(file.code, 2);
  assert.match(file.stderr, /toy\.yaml:3:3: src\.__proto__: the key __proto__ is not allowed in a config/);
  p.writeConfig('src:\n  text: hello\n');
  for (const set of ['__proto__.x=1', 'src.constructor.prototype.x=1', 'src={__proto__: {text: 7}}']) {
    const r = await cli(p, ['join', '--set', set]);
    assert.equal(r.code, 2, set);
    assert.match(r.stderr, /the key (__proto__|constructor) is not allowed/, set);
  }
  assert.equal(existsSync(join(p.artifacts, 'store')) ? readdirSync(join(p.artifacts, 'store')).length : 0, 0);
});
