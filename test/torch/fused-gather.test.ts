/**
 * The torch-fused kernel's gather settings (torch/fused_gather.py) through Triton's interpreter on the CPU:
 * MobileNetV2's last blocks (14x14 -> 7x7, two 7x7 blocks, the 320-channel projection), each setting against
 * PyTorch's operators (test/python/fused_gather_check.py), in about a minute. Triton comes with the test extras
 * (requirements-test.txt), so the check always runs here. The whole network's blocks: the script without
 * --blocks.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { projectPython } from '../python.js';
import { fromRoot } from '../repo-root.js';

test('gather settings match PyTorch on the last blocks (Triton interpreter)', async () => {
  const script = fromRoot('test/python/fused_gather_check.py');
  const run = await exec(projectPython, [script, '--batch', '2', '--blocks', '13-16', '--settings', '0,1,3'], {
    cwd: fromRoot(),
  });
  const last = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as { passed?: number; failed?: number };
  assert.equal(run.exitCode, 0, run.stdout + run.stderr);
  assert.deepEqual([last.passed, last.failed], [12, 0]);
});
