/**
 * scripts/run-tests.mjs, what `make test` runs: it prints how many tests were skipped and which, and under CI
 * a skip fails the run; the tests themselves run with CI cleared.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exec } from '../pipeline/execute/exec.js';
import { fromRoot } from './repo-root.js';

const run = (ci: string, file = fromRoot('test/fixtures/skipping-tests.mjs')) =>
  exec(process.execPath, [fromRoot('scripts/run-tests.mjs'), file], {
    env: { CI: ci },
    timeoutMs: 120_000,
  });

test('the skips are counted and named; without CI (unset or empty) they do not fail the run', async () => {
  const r = await run('');
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(
    r.stdout,
    /make test: 2 skipped:\n {2}skips itself: no such tool\n {2}skipped by its option: missing thing/,
  );
});

test('under CI a skip fails the run, saying why', async () => {
  for (const ci of ['true', '1']) {
    const r = await run(ci);
    assert.equal(r.exitCode, 1, `CI=${ci}: ${r.stdout}`);
    assert.match(r.stderr, /make test: 2 skipped under CI, which fails the run/);
  }
});

test('the tests see no CI, and this process neither', async () => {
  assert.equal(process.env['CI'], undefined, 'run the tests through make test (scripts/run-tests.mjs)');
});
