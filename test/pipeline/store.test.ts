import assert from 'node:assert/strict';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project, start } from './toy.js';

const objectPath = (artifacts: string, sha: string) => join(artifacts, 'store', 'objects', sha.slice(0, 2), sha);

test('a flipped byte in a stored artifact is detected, evicted and rebuilt', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  p.takeRuns();
  const sha = manifest(p).stages['upper']!.outputs['text']!.sha256;
  const path = objectPath(p.artifacts, sha);
  const bytes = readFileSync(path);
  bytes[0] = bytes[0]! ^ 0x01;
  chmodSync(path, 0o644);
  writeFileSync(path, bytes);

  const r = await cli(p, ['join']);
  assert.equal(r.code, 0, r.stderr);
  const warning = r.records.find((x) => x['stage'] === 'upper' && x['level'] === 40);
  assert.match(String(warning?.['msg']), /corrupted.*evicted, rebuilding/);
  assert.deepEqual(p.takeRuns(), ['upper']);
  assert.equal(manifest(p).stages['toy:join']?.status, 'cached');
  assert.equal(readFileSync(path, 'utf8'), 'HELLO');
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'upper.txt'), 'utf8'), 'HELLO');
});

test('cache verify re-hashes every entry and evicts a corrupted one; gc keeps what latest names', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  const clean = await cli(p, ['cache', 'verify']);
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /4 entries verified, 0 corrupt/);

  const sha = manifest(p).stages['count']!.outputs['count']!.sha256;
  const path = objectPath(p.artifacts, sha);
  chmodSync(path, 0o644);
  // Same size, different bytes: only a re-hash can tell.
  writeFileSync(path, readFileSync(path, 'utf8').replace('10', '11'));
  const dirty = await cli(p, ['cache', 'verify']);
  assert.equal(dirty.code, 1);
  assert.match(dirty.stderr, /count [0-9a-f]{12}: output count \(count\.json\) is corrupted/);
  assert.equal(existsSync(path), false);

  const ls = await cli(p, ['cache', 'ls', '--json']);
  assert.deepEqual((JSON.parse(ls.stdout) as Array<{ stage: string }>).map((e) => e.stage).sort(), [
    'source',
    'toy:join',
    'upper',
  ]);
  const gc = await cli(p, ['cache', 'gc']);
  assert.equal(gc.code, 0);
  assert.match(gc.stdout, /removed 0 entries/);
});

/** A started run's output as it comes, and its end. */
function watch(child: ReturnType<typeof start>) {
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.resume();
  const records = () =>
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  const done = new Promise<{ code: number | null; stderr: string; records: Array<Record<string, unknown>> }>((r) =>
    child.on('close', (code) => r({ code, stderr, records: records() })),
  );
  return { records, done };
}

/** Polls `ready` every 20 ms up to a minute: the test waits on its precondition, never on a guessed delay. */
async function until(what: string, ready: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !ready(); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(ready(), `${what} within a minute`);
}

test('two concurrent runs on one store: one builds each key, the other waits on its lock, takes the hit', async () => {
  const p = project();
  // upper holds until the second run is seen waiting on its lock: the overlap is made, not hoped for.
  const hold = `${p.runlog}.hold`;
  const first = watch(start(p, ['join'], { TOY_HOLD_FILE: hold }));
  await until(
    'the first run builds upper',
    () => existsSync(p.runlog) && readFileSync(p.runlog, 'utf8').includes('upper'),
  );
  const second = watch(start(p, ['join'], { TOY_HOLD_FILE: hold }));
  await until('the second run waits for it', () => second.records().some((x) => x['status'] === 'waiting'));
  writeFileSync(hold, '');
  const [a, b] = await Promise.all([first.done, second.done]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const verify = await cli(p, ['cache', 'verify']);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /4 entries verified, 0 corrupt/);
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'joined.txt'), 'utf8'), 'HELLO {"n":10}');
  // No duplicate work: every stage ran once, and one of the runs waited for the other's upper.
  assert.deepEqual(p.takeRuns().sort(), ['count', 'source', 'toy:join', 'upper']);
  const waited = [...a.records, ...b.records].filter((x) => x['stage'] === 'upper' && x['status'] === 'waiting');
  assert.equal(waited.length, 1);
  assert.match(String(waited[0]?.['msg']), /^waiting for process \d+ on .+, which is building [0-9a-f]{12}$/);
  const statuses = [a, b].map(
    (r) =>
      r.records.find((x) => x['stage'] === 'upper' && (x['status'] === 'built' || x['status'] === 'cached'))?.[
        'status'
      ],
  );
  assert.deepEqual(statuses.sort(), ['built', 'cached']);
  const again = await cli(p, ['join']);
  assert.equal(again.code, 0);
  assert.deepEqual(p.takeRuns(), []);
});

test('a run killed mid-stage leaves no partial artifact, and the next run rebuilds that stage', async () => {
  const p = project();
  const child = start(p, ['join'], { TOY_SLEEP_MS: '20000' });
  // Wait until source and count are stored and upper has written its partial output (the precondition, not a
  // guess at how long that takes on a loaded machine), then kill the process outright.
  const store = join(p.artifacts, 'store');
  const entries = join(store, 'entries');
  const stored = () => existsSync(entries) && ['count', 'source'].every((e) => readdirSync(entries).includes(e));
  // The running process renames its tmp folders into the store while this lists them: a folder gone between
  // the listing and the read is a retry, not a failure.
  const partial = () => {
    try {
      return readdirSync(store, { recursive: true, encoding: 'utf8' }).some(
        (f) => f.endsWith('upper.txt') && readFileSync(join(store, f), 'utf8') === 'partial',
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  };
  for (let i = 0; i < 1200 && !(stored() && partial()); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(stored() && partial(), 'source and count stored, upper partly written, within a minute');
  child.kill('SIGKILL');
  await new Promise((r) => child.on('close', r));
  assert.deepEqual(readdirSync(entries).sort(), ['count', 'source']);
  p.takeRuns();

  const r = await cli(p, ['join']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns().sort(), ['toy:join', 'upper']);
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'upper.txt'), 'utf8'), 'HELLO');
  const gc = await cli(p, ['cache', 'gc']);
  assert.match(gc.stdout, /1 abandoned tmp dirs/);
});
