/**
 * Two CI machines sharing one remote cache, with the shipped CLI and the real stages: store A builds `onnx` and
 * uploads it to a real nginx WebDAV server; store B, empty, runs `onnx` against the same remote and builds
 * nothing. B's `cache verify` passes and its artifacts are byte-identical to A's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { startDav } from '../pipeline/webdav.js';
import { fromRoot } from '../repo-root.js';

type Manifest = {
  stages: Record<string, { status: string; key?: string; outputs: Record<string, { path: string; sha256: string }> }>;
};

async function cli(artifacts: string, ...args: string[]) {
  const r = await exec(process.execPath, [fromRoot('pipeline.mjs'), ...args, '--artifacts', artifacts, '--json'], {
    cwd: fromRoot(),
  });
  return {
    ...r,
    records: r.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}
const manifest = (artifacts: string) =>
  JSON.parse(readFileSync(join(artifacts, 'latest', 'manifest.json'), 'utf8')) as Manifest;

test("machine B runs onnx from machine A's uploads: all remote hits, verified, byte-identical", async (t) => {
  const dav = await startDav();
  t.after(() => dav.stop());
  const dir = mkdtempSync(join(tmpdir(), 'ef-remote-'));
  const a = join(dir, 'a');
  const b = join(dir, 'b');
  const args = ['onnx', '--config', 'configs/ci.yaml', '--remote-cache', dav.url];

  const built = await cli(a, ...args);
  assert.equal(built.exitCode, 0, built.stderr);
  const ma = manifest(a);
  const builtNames = Object.keys(ma.stages)
    .filter((n) => ma.stages[n]?.status === 'built')
    .sort();
  assert.deepEqual(builtNames, ['build', 'convert:fp16', 'optimize', 'validate']);
  for (const [name, s] of Object.entries(ma.stages)) assert.ok(['built', 'skipped'].includes(s.status), name);
  assert.equal(built.records.filter((x) => x['level'] === 40).length, 0, built.stderr);

  const plan = JSON.parse((await cli(b, 'plan', '--config', 'configs/ci.yaml', '--remote-cache', dav.url)).stdout) as {
    stages: Array<{ stage: string; status: string }>;
  };
  for (const s of plan.stages.filter((x) => ['build', 'validate', 'optimize', 'convert:fp16'].includes(x.stage)))
    assert.equal(s.status, 'remote-hit', s.stage);

  const pulled = await cli(b, ...args);
  assert.equal(pulled.exitCode, 0, pulled.stderr);
  const mb = manifest(b);
  assert.deepEqual(Object.keys(mb.stages).sort(), Object.keys(ma.stages).sort());
  for (const name of builtNames) {
    assert.equal(mb.stages[name]?.status, 'cached', name);
    assert.equal(mb.stages[name]?.key, ma.stages[name]?.key, name);
  }
  assert.equal(pulled.records.filter((x) => /^remote hit/.test(String(x['msg']))).length, 4);
  assert.equal(
    pulled.records.some((x) => x['status'] === 'running'),
    false,
    'B ran no stage',
  );
  for (const s of Object.values(mb.stages)) {
    for (const o of Object.values(s.outputs))
      assert.ok(readFileSync(join(b, 'latest', o.path)).equals(readFileSync(join(a, 'latest', o.path))), o.path);
  }
  const verify = await cli(b, 'cache', 'verify');
  assert.equal(verify.exitCode, 0, verify.stderr);
  assert.match(verify.stdout, /"corrupt":0/);
});
