/**
 * Files that travel with an output (a model's external data beside the `.onnx` that names it): stored as
 * objects of their own, placed beside the output wherever it goes (a consumer's inputs, `artifacts/latest/`),
 * and part of what a consumer's key sees of that input (pipeline/plan/fingerprint.ts).
 */
import { isAbsolute, normalize, sep } from 'node:path';

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
