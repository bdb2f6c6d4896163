/**
 * `plan` and `run` make one decision with one function (pipeline/plan/plan.ts): what `plan --json` prints for a
 * stage whose inputs are known is what `run` then does, under the same key.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, manifest, project } from './toy.js';

interface Planned {
  stage: string;
  status: string;
  key?: string;
  reason?: string;
  cause?: string;
  inputs?: Record<string, string | null>;
}

/** What `run` does with each planned status. */
const DOES: Record<string, string> = { hit: 'cached', 'remote-hit': 'cached', miss: 'built', skipped: 'skipped' };

test('plan --json prints what run then does: the decision, the key, the reason and its cause', async () => {
  const p = project('src:\n  text: hello\ncount:\n  factor: 2\n');
  assert.equal((await cli(p, ['join'])).code, 0);
  p.writeConfig('src:\n  text: hello\ncount:\n  factor: 3\n');
  const planned = await cli(p, ['plan', '--json']);
  assert.equal(planned.code, 0, planned.stderr);
  const plan = (JSON.parse(planned.stdout) as { stages: Planned[] }).stages;
  const by = Object.fromEntries(plan.map((s) => [s.stage, s]));
  assert.deepEqual(
    plan.map((s) => `${s.stage}:${s.status}`),
    [
      'source:hit',
      'upper:hit',
      'count:miss',
      'toy:join:pending',
      'side:miss',
      'tooled:skipped',
      'measure:pending',
      'after-tool:skipped',
    ],
  );
  assert.deepEqual(Object.keys(by['count']?.inputs ?? {}), ['text'], 'the key inputs are shown');
  assert.equal(by['after-tool']?.cause, 'upstream-skipped');

  assert.equal((await cli(p, ['run'])).code, 0);
  const ran = manifest(p).stages;
  const known = plan.filter((s) => s.status !== 'pending');
  for (const s of known) {
    const r = ran[s.stage];
    assert.equal(r?.status, DOES[s.status], s.stage);
    assert.equal(r?.key, s.key, `${s.stage}: run used the planned key`);
    if (s.status === 'skipped') assert.deepEqual([r?.reason, r?.cause], [s.reason, s.cause], s.stage);
  }
});

test('a required tool that is missing fails its stage and blocks its consumers, in plan as in run', async () => {
  const p = project();
  const planned = await cli(p, ['plan', '--json', '--require', 'faketool']);
  const plan = (JSON.parse(planned.stdout) as { stages: Planned[] }).stages;
  const after = plan.find((s) => s.stage === 'after-tool');
  assert.deepEqual([after?.cause, after?.reason], ['upstream-failed', 'needs tooled, which was failed']);
  assert.equal((await cli(p, ['tooled', '--require', 'faketool'])).code, 1);
  const ran = manifest(p).stages['after-tool'];
  assert.deepEqual([ran?.cause, ran?.reason], [after?.cause, after?.reason]);
});
