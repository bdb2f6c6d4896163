/**
 * Every stage that did not build says why twice in manifest.json: `reason`, the sentence users read, and
 * `cause`, the kebab-case value (pipeline/cause.ts) that code switches on. These are the causes the pipeline
 * itself gives, each from a real run of the toy CLI; a stage's own failure message is named by the runner.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project } from './toy.js';

const causes = (p: ReturnType<typeof project>, stages: readonly string[]) =>
  Object.fromEntries(stages.map((s) => [s, manifest(p).stages[s]?.cause]));

test("a stage's own failure keeps its reason, the runner adds the stage to the message", async () => {
  const p = project('side:\n  fail: true\n');
  assert.equal((await cli(p, ['side'])).code, 1);
  assert.equal(manifest(p).stages['side']?.cause, 'check-failed');
  assert.equal(manifest(p).stages['side']?.reason, 'side: the configured failure');
});

test('a throw inside a stage is unknown-error-thrown; a built or cached stage has no cause', async () => {
  const p = project('side:\n  throw: true\n');
  assert.equal((await cli(p, ['side'])).code, 1);
  assert.equal(manifest(p).stages['side']?.cause, 'unknown-error-thrown');
  assert.equal((await cli(p, ['join'])).code, 0);
  assert.deepEqual(causes(p, ['source', 'upper']), { source: undefined, upper: undefined });
});

test('a missing tool is tool-unavailable, and what needs its stage is upstream-skipped', async () => {
  const p = project();
  assert.equal((await cli(p, ['tooled'])).code, 0);
  const expected = { tooled: 'tool-unavailable', 'after-tool': 'upstream-skipped' };
  assert.deepEqual(causes(p, ['tooled', 'after-tool']), expected);
});

test('a stage left out by --precision is excluded, and so is what needs it, with the same reason', async () => {
  const p = project();
  assert.equal((await cli(p, ['join', '--precision', 'fp32'])).code, 0);
  assert.deepEqual(causes(p, ['count', 'toy:join']), { count: 'excluded', 'toy:join': 'excluded' });
  assert.equal(manifest(p).stages['toy:join']?.reason, 'left out by --precision fp32');
  const plan = JSON.parse((await cli(p, ['plan', '--json', '--precision', 'fp32'])).stdout) as {
    stages: Array<{ stage: string; status: string; cause?: string; reason?: string }>;
  };
  const join = plan.stages.find((s) => s.stage === 'toy:join');
  assert.deepEqual(join, {
    stage: 'toy:join',
    status: 'skipped',
    cause: 'excluded',
    reason: 'left out by --precision fp32',
  });
});

test('a tool that fails is tool-failed, and what needs its stage is upstream-failed', async () => {
  const p = project();
  const tool = join(mkdtempSync(join(tmpdir(), 'ef-reason-')), 'faketool');
  writeFileSync(tool, '#!/bin/sh\nif [ "$1" = --version ]; then echo 1.0; exit 0; fi\necho broken >&2\nexit 3\n');
  chmodSync(tool, 0o755);
  assert.equal((await cli(p, ['tooled'], { TOY_TOOL: tool })).code, 1);
  assert.deepEqual(causes(p, ['tooled', 'after-tool']), { tooled: 'tool-failed', 'after-tool': 'upstream-failed' });
});

test('a full disk inside a stage is environment', { skip: !existsSync('/dev/full') }, async () => {
  const p = project('side:\n  write_to: /dev/full\n');
  assert.equal((await cli(p, ['side'])).code, 1);
  assert.equal(manifest(p).stages['side']?.cause, 'environment');
});
