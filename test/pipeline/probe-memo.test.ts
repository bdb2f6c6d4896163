/**
 * pipeline/plan/probe-memo.ts: an answer is kept across runs (a new memo on the same file) exactly while the files
 * and variables it names are unchanged; anything else computes again.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { probeMemo, type Answer } from '../../pipeline/plan/probe-memo.js';

function rig() {
  const dir = mkdtempSync(join(tmpdir(), 'ef-memo-'));
  const file = join(dir, 'probes.json');
  const dep = join(dir, 'tool');
  const later = join(dir, 'later', 'tool');
  let calls = 0;
  const compute =
    (remember = true) =>
    async (): Promise<Answer<string>> => {
      calls += 1;
      return {
        value: `answer ${calls}`,
        ...(remember ? { dependsOn: { files: [dep, later], env: ['EF_MEMO_TEST'] } } : {}),
      };
    };
  return { dir, file, dep, later, compute, calls: () => calls };
}

test('a remembered answer is reused by the next run while its files and variables are unchanged', async (t) => {
  const r = rig();
  t.after(() => rmSync(r.dir, { recursive: true, force: true }));
  writeFileSync(r.dep, 'v1');
  delete process.env['EF_MEMO_TEST'];
  assert.equal(await probeMemo(r.file)('tool', r.compute()), 'answer 1');
  assert.equal(await probeMemo(r.file)('tool', r.compute()), 'answer 1');
  assert.equal(r.calls(), 1);

  writeFileSync(r.dep, 'v2');
  assert.equal(await probeMemo(r.file)('tool', r.compute()), 'answer 2', 'a rewritten file');
  process.env['EF_MEMO_TEST'] = 'set';
  t.after(() => delete process.env['EF_MEMO_TEST']);
  assert.equal(await probeMemo(r.file)('tool', r.compute()), 'answer 3', 'a changed variable');
  assert.equal(await probeMemo(r.file)('tool', r.compute()), 'answer 3');
  mkdirSync(join(r.dir, 'later'));
  writeFileSync(r.later, '');
  assert.equal(await probeMemo(r.file)('tool', r.compute()), 'answer 4', 'a path that was absent appears');
  assert.equal(r.calls(), 4);
});

test('an answer without dependencies, another id, or an unreadable memo file is computed again', async (t) => {
  const r = rig();
  t.after(() => rmSync(r.dir, { recursive: true, force: true }));
  writeFileSync(r.dep, 'v1');
  await probeMemo(r.file)('tool', r.compute(false));
  await probeMemo(r.file)('tool', r.compute(false));
  assert.equal(r.calls(), 2, 'not remembered without dependsOn');
  await probeMemo(r.file)('tool', r.compute());
  assert.equal(await probeMemo(r.file)('other tool', r.compute()), 'answer 4');
  for (const garbage of ['{', '[]', '{"version":2,"entries":{}}', '{"version":1,"entries":{"tool":{"value":1}}}']) {
    writeFileSync(r.file, garbage);
    const before = r.calls();
    await probeMemo(r.file)('tool', r.compute());
    assert.equal(r.calls(), before + 1, garbage);
  }
});

test('a memo file that cannot be written costs a probe, not the run', async (t) => {
  const r = rig();
  t.after(() => rmSync(r.dir, { recursive: true, force: true }));
  writeFileSync(r.dep, 'v1');
  const blocked = join(r.dep, 'probes.json');
  assert.equal(await probeMemo(blocked)('tool', r.compute()), 'answer 1');
  assert.equal(await probeMemo(blocked)('tool', r.compute()), 'answer 2');
});
