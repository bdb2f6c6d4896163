/**
 * The run config: YAML under `configs/`, `--set a.b=value` overrides, then one JSON Schema (defaults filled in).
 * Every problem is one line naming where it came from — `file:line:col` or the `--set` that made it — the
 * field, and what to do.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { LineCounter, parseDocument, parse as parseYaml } from 'yaml';
import { FORBIDDEN_KEYS, guard } from './guards.js';
import { locator, type Where } from './where.js';
import { canonical, sha256 } from '../plan/fingerprint.js';
import { limits, overLimit } from './limits.js';
import { err, ok, type Result } from '../result.js';
import { didYouMean } from '../cli/suggest.js';

/** A run config as parsed: sections by name; each stage reads and checks its own (its schema). */
export type RunConfig = Record<string, unknown>;

type SchemaNode = { properties?: Record<string, SchemaNode>; items?: SchemaNode; description?: string };

const schemaAt = (schema: SchemaNode, path: readonly string[]): SchemaNode | undefined =>
  path.reduce<SchemaNode | undefined>((n, part) => (/^\d+$/.test(part) ? n?.items : n?.properties?.[part]), schema);

/** The field names the schema allows at `path` (for "did you mean"). */
const knownFields = (schema: SchemaNode, path: readonly string[]): string[] =>
  Object.keys(schemaAt(schema, path)?.properties ?? {});

function describe(e: ErrorObject, schema: SchemaNode, origin: Where): string {
  const parts = e.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const path = parts.join('.');
  const field = path || '(top level)';
  const params = e.params as {
    additionalProperty: string;
    allowedValues: unknown[];
    missingProperty: string;
    pattern: string;
    type: string;
  };
  switch (e.keyword) {
    case 'additionalProperties': {
      const extra = params.additionalProperty;
      const suggestion = didYouMean(extra, knownFields(schema, parts));
      return `${origin([...parts, extra], true)}: unknown field ${path ? `${path}.` : ''}${extra}${suggestion}`;
    }
    case 'type':
      return `${origin(parts)}: ${field} must be ${params.type}`;
    case 'enum': {
      const values = params.allowedValues.map((v) => JSON.stringify(v)).join(', ');
      return `${origin(parts)}: ${field} must be one of ${values}`;
    }
    case 'required':
      return `${origin(parts)}: missing field ${path ? `${path}.` : ''}${params.missingProperty}`;
    case 'pattern': {
      const form = schemaAt(schema, parts)?.description ?? `of the form ${params.pattern}`;
      return `${origin(parts)}: ${field} must be ${form}`;
    }
    default:
      return `${origin(parts)}: ${field} ${e.message ?? 'is invalid'}`;
  }
}

/** A `--set` key path, refused when a part is empty or would reach an object's prototype. */
function setPath(s: string): Result<string[], string> {
  const eq = s.indexOf('=');
  if (eq <= 0) return err(`--set ${s}: expected key.path=value`);
  const path = s.slice(0, eq).split('.');
  const bad = path.find((p) => p === '' || FORBIDDEN_KEYS.has(p));
  if (bad !== undefined) {
    const what = bad === '' ? 'an empty key' : `the key ${bad}`;
    return err(`--set ${s}: ${what} is not allowed; write section.field=value`);
  }
  return ok(path);
}

/**
 * Applies `a.b.c=value` (value parsed as YAML, so `3`, `true`, `[1, 4]` keep their types). Returns, beside the
 * config, which field paths each `--set` wrote, so an error there is blamed on the `--set`, not on the file.
 */
export function applySets(
  config: RunConfig,
  sets: readonly string[],
): Result<RunConfig, string> & { from?: Map<string, string> } {
  const from = new Map<string, string>();
  for (const s of sets) {
    const path = setPath(s);
    if (!path.ok) return path;
    const max = limits().configBytes;
    if (Buffer.byteLength(s) > max.value) {
      return err(`--set ${s.slice(0, s.indexOf('=') + 1)}…: ${overLimit('the value is', max)}`);
    }
    let value: unknown;
    try {
      value = parseYaml(s.slice(s.indexOf('=') + 1), { maxAliasCount: limits().yamlAliases.value });
    } catch {
      value = s.slice(s.indexOf('=') + 1);
    }
    const problem = guard(value, path.value);
    if (problem) return err(`--set ${s}: ${problem.message}`);
    let node: Record<string, unknown> = config;
    for (const part of path.value.slice(0, -1)) {
      const next = Object.hasOwn(node, part) ? node[part] : undefined;
      if (next === undefined || next === null) node[part] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) return err(`--set ${s}: ${part} is not a section`);
      node = node[part] as Record<string, unknown>;
    }
    node[path.value[path.value.length - 1]!] = value;
    from.set(path.value.join('.'), s);
  }
  return { ...ok(config), from };
}

/**
 * The file's text, refused unread when it is larger than the config limit; a FIFO or device is refused too (its
 * size says nothing). Synchronous: it is a few KB read once, before anything else can run.
 */
function readBounded(file: string): Result<string, string> {
  const max = limits().configBytes;
  try {
    const s = statSync(file);
    if (!s.isFile()) return err(`${file}: not a regular file; pass --config with a YAML file`);
    if (s.size > max.value) return err(`${file}: ${overLimit('the config is', max)}; a run config is a few KB`);
    return ok(readFileSync(file, 'utf8'));
  } catch (e) {
    return err(
      `${file}: cannot read the config (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
        'pass --config with a file under configs/',
    );
  }
}

/** A judgement of the checked config the schema cannot make (fields that do not go together, a memory budget). */
export type ConfigCheck = (config: RunConfig) =>
  | {
      /** The field to blame, from the top of the config. */
      path: string[];
      /** What is wrong and what to do, without the location. */
      message: string;
    }
  | undefined;

/**
 * Reads, overrides and checks a run config. `adjust` edits the file's config (options the project declares, such
 * as `--model`), then the `--set`s apply, so a field a `--set` gives is never dropped by an option; then the
 * schema check, and `check` judges the checked config (a memory budget, fields that do not go together).
 */
export async function loadConfig(
  file: string,
  schema: object,
  sets: readonly string[] = [],
  adjust?: (config: RunConfig) => Result<RunConfig, string>,
  check?: ConfigCheck,
): Promise<Result<RunConfig, string>> {
  const text = readBounded(file);
  if (!text.ok) return text;
  const parsed = readYaml(file, text.value);
  if (!parsed.ok) return parsed;
  const { raw, where } = parsed.value;
  const problem = guard(raw);
  if (problem) return err(`${where(problem.path, problem.atKey)}: ${problem.message}`);
  const adjusted = adjust ? adjust(raw) : ok(raw);
  if (!adjusted.ok) return adjusted;
  const withSets = applySets(adjusted.value, sets);
  if (!withSets.ok) return withSets;
  const from = withSets.from ?? new Map<string, string>();
  const origin: Where = (path, atKey) => {
    for (let n = path.length; n > 0; n--) {
      const s = from.get(path.slice(0, n).join('.'));
      if (s) return `--set ${s}`;
    }
    return where(path, atKey);
  };
  return validated(withSets.value, schema, origin, check);
}

/** The file's YAML as a mapping, and where each path is in it; invalid YAML says where, in one line. */
function readYaml(file: string, text: string): Result<{ raw: RunConfig; where: Where }, string> {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const first = doc.errors[0];
  if (first) {
    const pos = first.linePos?.[0];
    return err(
      `${file}${pos ? `:${pos.line}:${pos.col}` : ''}: invalid YAML: ` +
        (first.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''),
    );
  }
  let raw: unknown;
  const aliases = limits().yamlAliases;
  try {
    raw = doc.toJS({ maxAliasCount: aliases.value }) ?? {};
  } catch (e) {
    if (!(e instanceof ReferenceError)) throw e;
    return err(`${file}: ${overLimit('YAML aliases expand', aliases)}; write the values out instead`);
  }
  if (typeof raw !== 'object' || Array.isArray(raw) || raw === null)
    return err(`${file}: the config must be a mapping of sections (model:, bench:, …)`);
  return ok({ raw: raw as RunConfig, where: locator(file, doc, lines) });
}

/** The config against the schema (defaults filled in), then `check`; a problem is named by where it came from. */
async function validated(
  config: RunConfig,
  schema: object,
  origin: Where,
  check: ConfigCheck | undefined,
): Promise<Result<RunConfig, string>> {
  const validate = await validator(schema);
  if (validate(config)) {
    const problem = check?.(config);
    return problem ? err(`${origin(problem.path)}: ${problem.message}`) : ok(config);
  }
  const errors = validate.errors ?? [];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more: fix this one and run again)` : '';
  return err(`${describe(errors[0]!, schema as SchemaNode, origin)}${more}`);
}

/**
 * Importing ajv and compiling the schema costs ~100 ms of every run, so the compiled build keeps the validator
 * as ajv standalone code under dist/.cache/, named by the schema's hash; the source tree (tests under tsx)
 * compiles each time.
 */
async function validator(schema: object): Promise<ValidateFunction> {
  // Compiled, this module is dist/pipeline/config/config.js, or part of the bundle under dist/cli/.
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
