/** The checkout's root, whether a test runs from its TypeScript source or from the compiled copy under dist/. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'Makefile'))) return dir;
    if (dirname(dir) === dir) throw new Error(`Internal error: no checkout root above ${from}`);
  }
}

export const repoRoot = findRoot(dirname(fileURLToPath(import.meta.url)));
export const fromRoot = (...parts: string[]): string => join(repoRoot, ...parts);
