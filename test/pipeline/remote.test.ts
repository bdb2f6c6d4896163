import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project, type Project, type Ran } from './toy.js';
import { startDav } from './webdav.js';

const JOIN = ['count', 'source', 'toy:join', 'upper'];

const warnings = (r: Ran) => r.records.filter((x) => x['level'] === 40).map((x) => String(x['msg']));
const serverFiles = (root: string, kind: 'ac' | 'cas') =>
  existsSync(join(root, 'cache', kind)) ? readdirSync(join(root, 'cache', kind)) : [];
const latest = (p: Project, file: string) => readFileSync(join(p.artifacts, 'latest', file));

test('two machines, one nginx WebDAV remote: B builds nothing, verifies, and serves what A built', async (t) => {
  const dav = await startDav();
  t.after(() => dav.stop());
  const a = project();
  const b = project();
  const remote = ['--remote-cache', dav.url];

  const built = await cli(a, ['join', ...remote]);
  assert.equal(built.code, 0, built.stderr);
  assert.deepEqual(warnings(built), []);
  assert.equal(serverFiles(dav.root, 'ac').length, 4);
  assert.equal(serverFiles(dav.root, 'cas').length, 4);

  const plan = JSON.parse((await cli(b, ['plan', '--json', ...remote])).stdout) as {
    stages: Array<{ stage: string; status: string }>;
  };
  assert.deepEqual(
    plan.stages.filter((s) => JOIN.includes(s.stage)).map((s) => s.status),
    ['remote-hit', 'remote-hit', 'remote-hit', 'remote-hit'],
  );

  const pulled = await cli(b, ['join', ...remote]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.deepEqual(b.takeRuns(), [], 'B ran no stage');
  assert.equal(
    pulled.records.filter((x) => x['status'] === 'cached' && /^remote hit/.test(String(x['msg']))).length,
    4,
  );
  for (const s of JOIN) assert.equal(manifest(b).stages[s]?.key, manifest(a).stages[s]?.key, s);
  for (const f of ['text.txt', 'upper.txt', 'count.json', 'joined.txt'])
    assert.deepEqual(latest(b, f), latest(a, f), f);
  const verify = await cli(b, ['cache', 'verify']);
  assert.equal(verify.code, 0, verify.stderr);
  assert.match(verify.stdout, /4 entries verified, 0 corrupt/);

  // The second upload of a key is a no-op: A rebuilds everything and the server receives no PUT.
  const puts = () =>
    readFileSync(dav.accessLog, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"PUT ')).length;
  const before = puts();
  assert.equal((await cli(a, ['join', '--force', ...remote])).code, 0);
  assert.equal(puts(), before);
});

test('a tampered and a truncated blob on the server are detected, not used, and rebuilt locally', async (t) => {
  const dav = await startDav();
  t.after(() => dav.stop());
  const a = project();
  assert.equal((await cli(a, ['join', '--remote-cache', dav.url])).code, 0);
  const m = manifest(a);
  const flip = join(dav.root, 'cache', 'cas', m.stages['upper']!.outputs['text']!.sha256);
  const bytes = readFileSync(flip);
  bytes[0] = bytes[0]! ^ 0x20;
  writeFileSync(flip, bytes);
  const cut = join(dav.root, 'cache', 'cas', m.stages['source']!.outputs['text']!.sha256);
  writeFileSync(cut, readFileSync(cut).subarray(0, 2));

  const b = project();
  const r = await cli(b, ['join', '--remote-cache', dav.url]);
  assert.equal(r.code, 0, r.stderr);
  const w = warnings(r);
  assert.equal(w.filter((x) => /is corrupt on the server/.test(x)).length, 2, w.join('\n'));
  assert.deepEqual(b.takeRuns().sort(), ['source', 'upper']);
  assert.equal(latest(b, 'upper.txt').toString(), 'HELLO');
  assert.equal(latest(b, 'text.txt').toString(), 'hello');
  assert.equal((await cli(b, ['cache', 'verify'])).code, 0);
});

test('a malformed remote entry is refused with one warning', async (t) => {
  const dav = await startDav();
  t.after(() => dav.stop());
  const a = project();
  assert.equal((await cli(a, ['join', '--remote-cache', dav.url])).code, 0);
  const key = manifest(a).stages['source']!.key!;
  const entry = JSON.parse(readFileSync(join(dav.root, 'cache', 'ac', key), 'utf8')) as {
    outputs: { text: { sha256: string } };
  };
  entry.outputs.text.sha256 = '../../../../etc/passwd';
  writeFileSync(join(dav.root, 'cache', 'ac', key), JSON.stringify(entry));

  const b = project();
  const r = await cli(b, ['join', '--remote-cache', dav.url]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(warnings(r), [
    `remote cache entry ${key.slice(0, 12)} is malformed (output text has no valid sha256): not used, building locally`,
  ]);
  assert.deepEqual(b.takeRuns(), ['source']);
});

test('a 503 server, a closed port, a read-only server: one warning line each, a local build, exit 0', async (t) => {
  const unavailable = await startDav({ mode: 'unavailable' });
  const readonly = await startDav({ mode: 'readonly' });
  t.after(() => Promise.all([unavailable.stop(), readonly.stop()]));
  const closed = await startDav();
  await closed.stop();

  for (const [url, pattern] of [
    [
      unavailable.url,
      new RegExp(
        String.raw`^remote cache http://127\.0\.0\.1:\d+/cache lookup failed \(HTTP 503 on GET\): ` +
          'building locally, remote cache off for this run$',
      ),
    ],
    [closed.url, /^remote cache http:\/\/127\.0\.0\.1:\d+\/cache lookup failed \(ECONNREFUSED\): building locally/],
    [
      readonly.url,
      new RegExp(
        String.raw`^remote cache http://127\.0\.0\.1:\d+/cache refused an upload \(HTTP 403\): ` +
          String.raw`check the credentials or set cache\.remote_upload: false`,
      ),
    ],
  ] as const) {
    const p = project();
    const r = await cli(p, ['join', '--remote-cache', url]);
    assert.equal(r.code, 0, r.stderr);
    const w = warnings(r);
    assert.equal(w.length, 1, w.join('\n'));
    assert.match(w[0]!, pattern);
    assert.deepEqual(p.takeRuns().sort(), JOIN);
    assert.equal((await cli(p, ['cache', 'verify'])).code, 0);
  }
  assert.deepEqual(serverFiles(readonly.root, 'ac'), []);
});

test('credentials come from the variable the config names and are never printed or stored', async (t) => {
  const token = 'tok3n-s3cr3t-value';
  const dav = await startDav({ token });
  t.after(() => dav.stop());
  const config = `src:\n  text: hello\ncache:\n  remote: ${dav.url}\n  remote_credentials_env: EF_TEST_CACHE_TOKEN\n`;
  const a = project(config);
  const r = await cli(a, ['join'], { EF_TEST_CACHE_TOKEN: token });
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(warnings(r), []);
  assert.equal(serverFiles(dav.root, 'ac').length, 4);

  const b = project(config);
  const denied = await cli(b, ['join']);
  assert.equal(denied.code, 0);
  assert.match(warnings(denied).join('\n'), /EF_TEST_CACHE_TOKEN, which is not set[\s\S]*HTTP 401/);
  const ro = project(`${config}  remote_upload: false\n`);
  const read = await cli(ro, ['join', '--json'], { EF_TEST_CACHE_TOKEN: token });
  assert.deepEqual(ro.takeRuns(), []);
  for (const out of [r.stdout, r.stderr, read.stdout, read.stderr]) assert.equal(out.includes(token), false);
  const { execFileSync } = await import('node:child_process');
  const grep = (dir: string) => execFileSync('grep', ['-rl', token, dir], { encoding: 'utf8' }).trim();
  assert.throws(() => grep(a.artifacts), 'no file under artifacts/ holds the token');
});

test('nginx killed mid-upload: the build succeeds, the server holds no entry, the next machine builds', async (t) => {
  const dav = await startDav();
  t.after(() => dav.stop());
  const a = project();
  const env = { TOY_SIDE_BYTES: String(96 * 1024 * 1024) };
  const run = cli(a, ['side', '--remote-cache', dav.url], env);
  let killed = false;
  for (let i = 0; i < 4000 && !killed; i++) {
    if (readdirSync(dav.bodyTemp).length > 0) {
      dav.process.kill('SIGKILL');
      killed = true;
    } else await new Promise((r) => setTimeout(r, 2));
  }
  const r = await run;
  assert.ok(killed, 'the upload was seen in flight');
  assert.equal(r.code, 0, r.stderr);
  const w = warnings(r);
  assert.equal(w.length, 1, w.join('\n'));
  assert.match(w[0]!, /upload failed \((ECONNRESET|EPIPE|ECONNREFUSED)\)/);
  assert.deepEqual(serverFiles(dav.root, 'ac'), []);
  assert.equal(manifest(a).stages['side']?.status, 'built');

  const again = await startDav({ root: dav.root });
  t.after(() => again.stop());
  const b = project();
  const rb = await cli(b, ['side', '--remote-cache', again.url], env);
  assert.equal(rb.code, 0, rb.stderr);
  assert.deepEqual(b.takeRuns(), ['side']);
  assert.deepEqual(latest(b, 'side.txt'), latest(a, 'side.txt'));
});

test('cache push uploads what was built without the remote; cache pull fills an empty store', async (t) => {
  const dav = await startDav();
  t.after(() => dav.stop());
  const a = project();
  assert.equal((await cli(a, ['join'])).code, 0);
  const push = await cli(a, ['cache', 'push', '--remote-cache', dav.url]);
  assert.equal(push.code, 0, push.stderr);
  assert.match(push.stdout, /^pushed 4 entries to http:\/\/127\.0\.0\.1:\d+\/cache; 0 were there already$/m);
  assert.match(
    (await cli(a, ['cache', 'push', '--remote-cache', dav.url])).stdout,
    /pushed 0 entries .*; 4 were there already/,
  );

  const b = project();
  const pull = await cli(b, ['cache', 'pull', '--remote-cache', dav.url]);
  assert.equal(pull.code, 0, pull.stderr);
  assert.match(
    pull.stdout,
    /^pulled 4 entries from http:\/\/127\.0\.0\.1:\d+\/cache; 4 of \d+ stages are now local hits$/m,
  );
  const r = await cli(b, ['join']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(b.takeRuns(), []);
  for (const f of ['text.txt', 'upper.txt', 'count.json', 'joined.txt'])
    assert.deepEqual(latest(b, f), latest(a, f), f);
  const none = await cli(b, ['cache', 'push']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /cache push needs a remote cache: --remote-cache URL or cache\.remote in /);
});
