/**
 * Tests never write into the user's artifacts/ (a `make test` in a checkout must leave the user's last run as it
 * was): no test names the checkout's artifacts folder; each writes into a temporary folder of its own.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromRoot } from './repo-root.js';

const sources = (dir: string): string[] =>
  readdirSync(fromRoot(dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => join(dir, f));

test("no test names the checkout's artifacts/ folder", () => {
  const named = sources('test').filter((f) =>
    /fromRoot\(\s*['"`]artifacts\b|repoRoot,\s*['"`]artifacts\b/.test(readFileSync(fromRoot(f), 'utf8')),
  );
  assert.deepEqual(named, [], 'write into a temporary folder instead (mkdtemp)');
});
