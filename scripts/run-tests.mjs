#!/usr/bin/env node
// `make test`: node's test runner over the compiled tests (the files given), then how many tests were skipped and
// which. Under CI ($CI true or 1) a skip fails the run: a missing tool there is a broken runner, and a skipped
// check must not read as a passed one. CI is cleared for the tests themselves: `CI=true` turns the CLI's
// --verify on, and the tests of the cache's stamps must test the stamps, not a re-hash; the one test of that
// default sets CI itself. Usage: node scripts/run-tests.mjs FILE...
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ci = ['true', '1'].includes(process.env.CI ?? '');
const env = { ...process.env };
delete env.CI;
// Set when this runs inside a test itself (test/run-tests.test.ts): node would then refuse to run files.
delete env.NODE_TEST_CONTEXT;
const dir = mkdtempSync(join(tmpdir(), 'ef-tests-'));
const tap = join(dir, 'results.tap');
const args = [
  '--test',
  '--test-concurrency=2',
  // A test still running after 10 minutes fails rather than holding CI until its own limit.
  '--test-timeout=600000',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  '--test-reporter=tap',
  `--test-reporter-destination=${tap}`,
  ...process.argv.slice(2),
];
const child = spawn(process.execPath, args, { env, stdio: 'inherit' });
const code = await new Promise((resolve) => child.on('close', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
const results = existsSync(tap) ? readFileSync(tap, 'utf8') : '';
rmSync(dir, { recursive: true, force: true });
// The runner's own summary at the end of the TAP stream: `# skipped N` (files and their tests together).
const counted = [...results.matchAll(/^# skipped (\d+)$/gm)].at(-1);
if (!counted) {
  console.error('run-tests: the test runner printed no summary');
  process.exit(code === 0 ? 1 : code);
}
const skipped = Number(counted[1]);
const names = [...results.matchAll(/^\s*ok \d+ - (.*) # SKIP(.*)$/gm)].map((m) => `${m[1]}:${m[2]}`);
console.log(`\nmake test: ${skipped} skipped${skipped ? `:\n  ${names.join('\n  ')}` : ''}`);
if (ci && skipped > 0) {
  console.error(`make test: ${skipped} skipped under CI, which fails the run: install what each skip names`);
  process.exit(code === 0 ? 1 : code);
}
process.exit(code);
