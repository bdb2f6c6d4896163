/**
 * A file of the checkout that is not TypeScript (a kit's own program: torch/torch_runner.py), by its path from the
 * root, found upwards from this module: the same from the TypeScript source, from its compiled copy under dist/
 * and from a bundle there, none of which holds the file itself. A kit calls it once, at its module's top, so a
 * missing file fails on load rather than mid-run.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function sourceFile(relative: string): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, relative))) return join(dir, relative);
    if (dirname(dir) === dir)
      throw new Error(`Internal error: ${relative} not found above ${fileURLToPath(import.meta.url)}`);
  }
}
