/**
 * Files that travel with an output (a model's external data beside the `.onnx` that names it): stored as
 * objects of their own, placed beside the output wherever it goes (a consumer's inputs, `artifacts/latest/`),
 * and part of what a consumer's key sees of that input.
 */
import { isAbsolute, normalize, sep } from 'node:path';
import { sha256 } from './fingerprint.js';
import type { StoredOutput } from './store.js';

/** Why `name` cannot be a companion's path relative to its output's folder; undefined when it can. */
export function badCompanionName(name: string): string | undefined {
  if (!name || /[\0-\x1f]/.test(name)) return 'is empty or holds a control character';
  if (isAbsolute(name)) return 'is an absolute path';
  const norm = normalize(name);
  if (norm === '..' || norm.startsWith(`..${sep}`) || norm.split(/[\\/]/).includes('..')) {
    return "leaves its output's folder";
  }
  return undefined;
}

/** What a consumer's key sees of an input: its content, with its companions' when it has any. */
export function inputHash(o: StoredOutput): string {
  const c = Object.entries(o.companions ?? {});
  if (c.length === 0) return o.sha256;
  return sha256(JSON.stringify([o.sha256, ...c.sort(([a], [b]) => (a < b ? -1 : 1)).map(([n, x]) => [n, x.sha256])]));
}
