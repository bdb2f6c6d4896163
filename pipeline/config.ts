/**
 * The run config: YAML under `configs/`, `--set a.b=value` overrides, then one JSON Schema (defaults filled in).
 * Every problem is one line naming the file and the field.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parseDocument, parse as parseYaml } from 'yaml';
import { canonical, sha256 } from './fingerprint.js';
import { err, ok, type Result } from './result.js';

export type RunConfig = Record<string, unknown>;

function describe(file: string, e: ErrorObject): string {
  const path = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).join('.');
  const at = (p: string) => `${file}: ${p}`;
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      return at(`unknown field ${path ? `${path}.` : ''}${extra}`);
    }
    case 'type':
      return at(`${path || '(top level)'} must be ${(e.params as { type: string }).type}`);
    case 'enum':
      return at(`${path} must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`);
    case 'required':
      return at(`missing field ${path ? `${path}.` : ''}${(e.params as { missingProperty: string }).missingProperty}`);
    default:
      return at(`${path || '(top level)'} ${e.message ?? 'is invalid'}`);
  }
}

/** Applies `a.b.c=value` (value parsed as YAML, so `3`, `true`, `[1, 4]` keep their types). */
export function applySets(config: RunConfig, sets: readonly string[]): Result<RunConfig, string> {
  for (const s of sets) {
    const eq = s.indexOf('=');
    if (eq <= 0) return err(`--set ${s}: expected key.path=value`);
    const path = s.slice(0, eq).split('.');
    let value: unknown;
    try {
      value = parseYaml(s.slice(eq + 1));
    } catch {
      value = s.slice(eq + 1);
    }
    let node: Record<string, unknown> = config;
    for (const part of path.slice(0, -1)) {
      const next = node[part];
      if (next === undefined || next === null) node[part] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) return err(`--set ${s}: ${part} is not a section`);
      node = node[part] as Record<string, unknown>;
    }
    node[path[path.length - 1]!] = value;
  }
  return ok(config);
}

/**
 * Reads, overrides and checks a run config. `adjust` edits it after the `--set`s and before the schema check
 * (options the project declares, such as `--model`).
 */
export async function loadConfig(file: string, schema: object, sets: readonly string[] = [],
  adjust?: (config: RunConfig) => Result<RunConfig, string>): Promise<Result<RunConfig, string>> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    return err(`${file}: cannot read the config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); pass --config with a file under configs/`);
  }
  const doc = parseDocument(text);
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    return err(`${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ${(first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null) return err(`${file}: the config must be a mapping of sections (model:, bench:, …)`);
  const set = applySets(raw as RunConfig, sets);
  const withSets = set.ok && adjust ? adjust(set.value) : set;
  if (!withSets.ok) return withSets;
  const validate = await validator(schema);
  if (!validate(withSets.value)) return err((validate.errors ?? []).map((e) => describe(file, e)).join('\n'));
  return ok(withSets.value);
}

/**
 * Importing ajv and compiling the schema costs ~100 ms of every run, so the compiled build keeps the validator
 * as ajv standalone code under dist/.cache/, named by the schema's hash; the source tree (tests under tsx)
 * compiles each time.
 */
async function validator(schema: object): Promise<ValidateFunction> {
  // Compiled, this module is dist/pipeline/config.js, or part of the bundle under dist/cli/.
  const compiled = /^(.*)[\\/]dist[\\/](?:pipeline|cli)[\\/][^\\/]+\.js$/.exec(fileURLToPath(import.meta.url));
  return cachedValidator(schema, compiled ? join(compiled[1]!, 'dist', '.cache', 'ajv') : undefined);
}

/**
 * The validator from `cacheDir` when an earlier run left it there, else compiled and left there. The code is
 * CommonJS: ajv's standalone output `require`s its runtime helpers even when asked for ESM.
 */
export async function cachedValidator(schema: object, cacheDir: string | undefined): Promise<ValidateFunction> {
  const cached = cacheDir ? join(cacheDir, `${sha256(canonical(schema)).slice(0, 16)}.cjs`) : undefined;
  if (cached) {
    try {
      return createRequire(import.meta.url)(cached) as ValidateFunction;
    } catch {
      // Not cached yet (or unreadable): compile below.
    }
  }
  const { Ajv } = await import('ajv');
  const ajv = new Ajv({ useDefaults: true, allErrors: true, strict: false, code: { source: true } });
  const validate = ajv.compile(schema);
  if (cached) {
    // A CommonJS module whose exports object is also the function; `.default.default` is it for tsc and node.
    const standalone = (await import('ajv/dist/standalone/index.js')).default.default;
    const tmp = `${cached}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await mkdir(dirname(cached), { recursive: true });
      await writeFile(tmp, standalone(ajv, validate));
      await rename(tmp, cached);
    } catch {
      // A read-only install compiles every time; that is only slower.
    }
  }
  return validate;
}
