/**
 * Every command-line option in one table, with the commands it belongs to, so each command's `--help` lists
 * only its own options and a new option joins by adding one row. Options that take a value take exactly one
 * (`nargs: 1`), so `--set a=b plan` cannot swallow the command; repeatable ones collect an array, single ones
 * keep their last value.
 */
import type { Argv, Options } from 'yargs';

/** `run`: the commands that run stages (run, build, onnx, …); `plan`; `cache` (ls, verify, gc). */
export type Scope = 'run' | 'plan' | 'cache';

export interface OptionRow {
  scopes: readonly Scope[];
  spec: Options;
  /** Given several times, the values collect into an array (else the last one wins). */
  repeatable?: boolean;
}

const STAGES: readonly Scope[] = ['run', 'plan'];
const ALL: readonly Scope[] = ['run', 'plan', 'cache'];

export const OPTIONS: Record<string, OptionRow> = {
  config: { scopes: ALL, spec: { type: 'string', default: 'configs/mobilenetv2.yaml', describe: 'run config (YAML)' } },
  set: { scopes: STAGES, repeatable: true, spec: { type: 'string', describe: 'override a config field: --set bench.runs=5 (repeatable)' } },
  precision: { scopes: STAGES, spec: { type: 'string', choices: ['fp32', 'fp16', 'all'], default: 'all', describe: 'leave out stages of the other precision' } },
  require: { scopes: STAGES, repeatable: true, spec: { type: 'string', describe: 'a tool whose absence is an error, not a skip (repeatable)' } },
  force: { scopes: STAGES, spec: { type: 'boolean', default: false, describe: 'rebuild the selected stages even on a cache hit' } },
  explain: { scopes: ['run'], spec: { type: 'boolean', default: false, describe: 'say per stage why it missed (which key input changed)' } },
  verbose: { scopes: ['run'], spec: { type: 'boolean', default: false, describe: 'full reasons for skipped stages on the terminal' } },
  baseline: { scopes: ['run'], spec: { type: 'string', describe: 'an earlier bench.json to compare with (benchmark stage)' } },
  json: { scopes: ALL, spec: { type: 'boolean', describe: 'results as JSON on stdout, logs as JSON lines on stderr' } },
  artifacts: { scopes: ALL, spec: { type: 'string', default: 'artifacts', describe: 'artifact store directory' } },
};

/** Adds the options of `scope` (this table's, then `more`) to a command's parser. */
export function withOptions(y: Argv, scope: Scope, more: Readonly<Record<string, OptionRow>> = {}): Argv {
  for (const [name, row] of Object.entries({ ...OPTIONS, ...more })) {
    if (!row.scopes.includes(scope)) continue;
    const takesValue = row.spec.type !== 'boolean';
    y = y.option(name, {
      ...row.spec,
      ...(takesValue ? { nargs: 1, requiresArg: true } : {}),
      ...(takesValue && row.repeatable ? { default: [] } : {}),
      coerce: (v: unknown) => (row.repeatable ? [v].flat().filter((x) => x !== undefined) : Array.isArray(v) ? v.at(-1) : v),
    });
  }
  return y;
}
