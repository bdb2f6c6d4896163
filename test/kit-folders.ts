/**
 * The kit folders: the top-level folders whose index.ts stages/benchmark/kits.ts imports, the one list a kit joins,
 * so a new kit's folder is held to the import rules (architecture.test.ts) and copied with the bundle's sources
 * (pipeline/code-identity.test.ts) with no line of its own there.
 */
import { readFileSync } from 'node:fs';
import { fromRoot } from './repo-root.js';

export const KIT_FOLDERS: readonly string[] = [
  ...readFileSync(fromRoot('stages/benchmark/kits.ts'), 'utf8').matchAll(/from '\.\.\/\.\.\/([\w-]+)\/index\.js'/g),
].map((m) => m[1]!);
