/**
 * The artifact store's folder, checked before any stage runs: a file in its place, a read-only disk or a folder
 * this user cannot write is one line naming `--artifacts` as the user gave it, not an errno from deep inside
 * a stage.
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { environmentMessage, UserError } from '../failure.js';

export async function checkArtifacts(given: string): Promise<void> {
  const root = resolve(given);
  try {
    for (const sub of ['tmp', 'objects', 'entries']) await mkdir(join(root, 'store', sub), { recursive: true });
    await access(join(root, 'store', 'tmp'), constants.W_OK);
    await access(root, constants.W_OK);
  } catch (e) {
    const line = environmentMessage(e, (p) => (p.startsWith(root) ? join(given, p.slice(root.length)) : p));
    const why = line ?? `cannot use it as the artifact store (${(e as Error).message})`;
    throw new UserError(`--artifacts ${given}: ${why}`);
  }
}
