/**
 * The CLI's own command-line options in one table, with the commands they belong to, so each command's `--help`
 * lists only its own options and a new option joins by adding one row; the project's options (the registry's)
 * join per command (pipeline/cli/project.ts). Options that take a value take exactly one
 * (`nargs: 1`), so `--set a=b plan` cannot swallow the command; repeatable ones collect an array, single ones
 * keep their last value.
 */
import type { Argv, Options } from 'yargs';
import { LOG_FORMAT_ENV, LOG_FORMATS } from '../log/log.js';

/** `run`: the commands that run stages (`run` and the project's); `plan`; `cache` (ls, verify, gc, push, pull). */
export type Scope = 'run' | 'plan' | 'cache';

/** One option: the commands that take it and how yargs parses it. */
export interface OptionRow {
  /** Which commands list it in their `--help` and accept it. */
  scopes: readonly Scope[];
  /** yargs's option spec (type, description, default, choices). */
  spec: Options;
  /** Given several times, the values collect into an array (else the last one wins). */
  repeatable?: boolean;
}

const STAGES: readonly Scope[] = ['run', 'plan'];
const ALL: readonly Scope[] = ['run', 'plan', 'cache'];

const flag = (scopes: readonly Scope[], describe: string): OptionRow => ({
  scopes,
  spec: { type: 'boolean', default: false, describe },
});
const value = (
  scopes: readonly Scope[],
  describe: string,
  more: { repeatable?: boolean } & Options = {},
): OptionRow => {
  const { repeatable, ...spec } = more;
  return { scopes, repeatable, spec: { type: 'string', describe, ...spec } };
};

export const OPTIONS: Record<string, OptionRow> = {
  config: value(ALL, 'run config (YAML)', { default: 'configs/mobilenetv2.yaml' }),
  set: value(STAGES, 'override a config field: --set bench.runs=5 (repeatable)', { repeatable: true }),
  require: value(STAGES, 'a tool whose absence is an error, not a skip (repeatable)', { repeatable: true }),
  force: flag(STAGES, 'rebuild the selected stages even on a cache hit'),
  explain: flag(['run'], 'say per stage why it missed (which key input changed)'),
  verbose: flag(['run'], 'full reasons for skipped stages on the terminal'),
  jobs: value(['run'], 'stages built at once; a measurement always runs alone', { default: '2' }),
  json: { scopes: ALL, spec: { type: 'boolean', describe: 'results as JSON on stdout, logs as JSON lines on stderr' } },
  'log-format': value(ALL, `the log on stderr: human lines or JSON records (default: $${LOG_FORMAT_ENV}, else human)`, {
    choices: [...LOG_FORMATS],
  }),
  artifacts: value(ALL, 'artifact store directory', { default: 'artifacts' }),
  'remote-cache': value(ALL, 'remote cache base URL (Bazel HTTP protocol); overrides cache.remote'),
  verify: {
    scopes: ['run'],
    spec: {
      type: 'boolean',
      default: ['true', '1'].includes(process.env['CI'] ?? ''),
      describe: 're-hash every artifact a cache hit serves (on when $CI is true)',
    },
  },
};

const lastOf = (v: unknown): unknown => (Array.isArray(v) ? v.at(-1) : v);

/** Adds the options of `scope` (this table's, then `more`) to a command's parser. */
export function withOptions(y: Argv, scope: Scope, more: Readonly<Record<string, OptionRow>> = {}): Argv {
  for (const [name, row] of Object.entries({ ...OPTIONS, ...more })) {
    if (!row.scopes.includes(scope)) continue;
    const takesValue = row.spec.type !== 'boolean';
    y = y.option(name, {
      ...row.spec,
      ...(takesValue ? { nargs: 1, requiresArg: true } : {}),
      ...(takesValue && row.repeatable ? { default: [] } : {}),
      coerce: (v: unknown) => (row.repeatable ? [v].flat().filter((x) => x !== undefined) : lastOf(v)),
    });
  }
  return y;
}
