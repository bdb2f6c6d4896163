/**
 * The Python a script really loads from this checkout: the script and, transitively, every module an `import x`
 * or `from x import …` names (at any indentation: a lazy import counts) that lies beside it. The kit's code
 * identity hashes this closure, so a new helper module enters the key by being imported, not by being listed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const FROM_IMPORT = String.raw`from[ \t]+([A-Za-z_][\w.]*)[ \t]+import\b`;
const PLAIN_IMPORT = String.raw`import[ \t]+([A-Za-z_][\w.]*(?:[ \t]*,[ \t]*[A-Za-z_][\w.]*)*)`;
const IMPORT = new RegExp(String.raw`^[ \t]*(?:${FROM_IMPORT}|${PLAIN_IMPORT})`, 'gm');

/** Module names (their first component) a Python source imports, in order of appearance. */
export function importedModules(source: string): string[] {
  return [...source.matchAll(IMPORT)].flatMap((m) =>
    (m[1] ?? m[2]!).split(',').map((name) => name.trim().split('.')[0]!),
  );
}

/** `entry` and every sibling module it reaches by import, as absolute paths sorted by file name. */
export function pythonClosure(entry: string): string[] {
  const dir = dirname(entry);
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const name of importedModules(readFileSync(file, 'utf8'))) {
      const sibling = join(dir, `${name}.py`);
      if (existsSync(sibling)) todo.push(sibling);
    }
  }
  return [...seen].sort((a, b) => basename(a).localeCompare(basename(b)));
}
