/**
 * What the user can cause inside a run is theirs to read about in their own terms: a full disk is a failed
 * stage with the errno explained (not an internal error), and a tool's message about a stage's input names the
 * file under `latest/`, not the temporary folder that is gone by the time the message is read.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { environmentMessage } from '../../pipeline/failure.js';
import { shortReason } from '../../pipeline/execute/user-paths.js';
import { cli, manifest, project } from './toy.js';

const noDevFull = !existsSync('/dev/full');

test('a full disk inside a stage (ENOSPC) fails that stage with what to do, exit 1', { skip: noDevFull }, async () => {
  const p = project('side:\n  write_to: /dev/full\n');
  const r = await cli(p, ['side']);
  assert.equal(r.code, 1, r.stderr);
  const failed = r.records.find((x) => x['stage'] === 'side' && x['status'] === 'failed');
  const advice = 'no space left on the device; free some space or pass --artifacts on another disk (ENOSPC)';
  assert.equal(failed?.['msg'], `side: ${advice}`);
  assert.doesNotMatch(r.stderr, /internal error/);
  assert.equal(manifest(p).stages['side']?.status, 'failed');
});

test("a tool's message about a stage input names the file under latest/, not the stage's tmp folder", async () => {
  const p = project();
  const dir = mkdtempSync(join(tmpdir(), 'ef-tool-'));
  const tool = join(dir, 'faketool');
  // A fake standing in for an external program that cannot read the file it was given.
  const script = [
    '#!/bin/sh',
    'if [ "$1" = --version ]; then echo 1.0; exit 0; fi',
    'echo "cannot parse $2" >&2',
    'exit 3',
  ];
  writeFileSync(tool, `${script.join('\n')}\n`);
  chmodSync(tool, 0o755);
  const r = await cli(p, ['tooled'], { TOY_TOOL: tool });
  assert.equal(r.code, 1);
  const reason = manifest(p).stages['tooled']?.reason ?? '';
  assert.equal(reason, `tooled: faketool failed: cannot parse ${join(p.artifacts, 'latest', 'text.txt')}\n`);
  assert.doesNotMatch(r.stderr, /store\/tmp/);
});

test('errno codes the user can fix read as one line with the path; others are left to be bugs', () => {
  const e = Object.assign(new Error('EROFS: read-only file system'), {
    code: 'EROFS',
    path: '/abs/store/tmp/1-ab/out/x',
  });
  assert.equal(
    environmentMessage(e, (p) => p.replace('/abs', 'artifacts')),
    'artifacts/store/tmp/1-ab/out/x: the file system is read-only; pass --artifacts on a writable disk (EROFS)',
  );
  assert.equal(environmentMessage(Object.assign(new Error('x'), { code: 'ERR_INVALID_ARG_TYPE' })), undefined);
  assert.equal(environmentMessage(new TypeError('Cannot convert undefined or null to object')), undefined);
});

test('a skip reason has a short form for the terminal: its first clause', () => {
  const trt =
    'trtexec unavailable: no NVIDIA GPU found: nvidia-smi is not on PATH ' +
    '(TensorRT engines need an NVIDIA GPU and driver)';
  assert.equal(shortReason(trt), 'trtexec unavailable: no NVIDIA GPU found');
  assert.equal(shortReason('needs engine:trt:fp32, which was skipped'), 'needs engine:trt:fp32, which was skipped');
  assert.equal(shortReason('x'.repeat(100)).length, 72);
});
