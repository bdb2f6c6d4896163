/**
 * What the CLI takes from the project's registry: its commands and their options as option rows, the run
 * config (file, `--set`, the project's own options, preflight), the stage options' values and the stages the
 * filters leave out, and the `--require` check.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withCacheSection } from '../store/cache-config.js';
import { OPTIONS, type OptionRow, type Scope } from './options.js';
import { loadConfig, type RunConfig } from '../config/config.js';
import { exec } from '../execute/exec.js';
import { UserError } from '../failure.js';
import type { Registry, RegistryCommand, StageOption } from '../registry.js';
import { ok, type Result } from '../result.js';
import { didYouMean } from './suggest.js';

/** Parsed arguments, by option name. */
export type Args = Readonly<Record<string, unknown>>;

/** The commands the CLI adds to the project's. */
export const RUN = 'run';
export const PLAN = 'plan';
export const CACHE = 'cache';

/** A command as the CLI offers it; without targets, it asks for every stage. */
export type Command = Omit<RegistryCommand, 'targets'> & {
  /** The stages it asks for (their producers run too); absent: every stage. */
  targets?: readonly string[];
};

/** Every command: `run` (every stage), the project's, `plan` (takes the filters) and `cache`. */
export function commandTable(registry: Registry): Record<string, Command> {
  const options = Object.keys(registry.stageOptions ?? {});
  const filters = options.filter((n) => registry.stageOptions?.[n]?.excludes);
  const clash = [RUN, PLAN, CACHE].find((name) => name in registry.commands);
  if (clash) throw new Error(`Internal error: the registry declares command ${clash}, which the CLI has itself`);
  return {
    [RUN]: { describe: 'every stage this machine can run (the default)', options },
    ...registry.commands,
    [PLAN]: {
      describe: 'what a run would do: stages, keys, hit or miss, without running anything',
      options: filters,
    },
    [CACHE]: {
      describe: 'the artifact store: ls, verify (re-hash everything, evict what is corrupt), gc, push/pull',
    },
  };
}

/** Every tool a stage declares or probes inside its run: what `--require` accepts. */
function toolNames(registry: Registry): string[] {
  const declared = registry.stages.flatMap((s) => (s.tools ?? []).map((t) => t.name));
  return [...new Set([...declared, ...Object.keys(registry.probedTools ?? {})])];
}

const stageOptionRow = (scope: Scope, o: StageOption): OptionRow => ({
  scopes: [scope],
  spec: {
    type: 'string',
    describe: o.describe,
    ...(o.choices ? { choices: [...o.choices] } : {}),
    ...(o.default !== undefined ? { default: o.default } : {}),
  },
});

/**
 * Option rows a command adds to the CLI's own: the stage options it takes, the project's config options for the
 * commands that read a config, and `--require` described with the tools it accepts.
 */
export function projectRows(registry: Registry, command: string, scope: Scope): Record<string, OptionRow> {
  const rows: Record<string, OptionRow> = {};
  for (const name of commandTable(registry)[command]?.options ?? []) {
    const o = registry.stageOptions?.[name];
    if (!o) throw new Error(`Internal error: command ${command} takes option ${name}, which is not declared`);
    rows[name] = stageOptionRow(scope, o);
  }
  for (const [name, o] of Object.entries(registry.options ?? {})) {
    const spec = { type: 'string', describe: o.describe } as const;
    rows[name] = { scopes: ['run', 'plan'], repeatable: o.array, spec };
  }
  const require = OPTIONS['require']!;
  const describe = `${String(require.spec.describe)}: ${toolNames(registry).join(', ')}`;
  rows['require'] = { ...require, spec: { ...require.spec, describe } };
  return rows;
}

/** Every option name any command takes, for "did you mean" and "not an option of this command". */
export const optionNames = (registry: Registry): string[] => [
  ...new Set([
    ...Object.keys(OPTIONS),
    ...Object.keys(registry.stageOptions ?? {}),
    ...Object.keys(registry.options ?? {}),
  ]),
];

/** The values of the stage options `command` takes, as the stages see them (files resolved). */
export function stageOptionValues(registry: Registry, command: string, argv: Args): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of commandTable(registry)[command]?.options ?? []) {
    const value = argv[name];
    if (typeof value !== 'string') continue;
    out[name] = registry.stageOptions?.[name]?.file ? resolve(value) : value;
  }
  return out;
}

/** Stage name → why a filter leaves it out (the first filter that does). */
export function excludedBy(registry: Registry, values: Readonly<Record<string, string>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(values)) {
    const excludes = registry.stageOptions?.[name]?.excludes;
    if (!excludes) continue;
    for (const s of registry.stages) {
      const why = out.has(s.name) ? undefined : excludes(s, value);
      if (why) out.set(s.name, why);
    }
  }
  return out;
}

/** Runs each stage option's own check on its value; the first problem is a usage error (exit 2). */
export async function checkStageOptions(registry: Registry, values: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, value] of Object.entries(values)) {
    const problem = await registry.stageOptions?.[name]?.check?.(value);
    if (problem) throw new UserError(`--${name}: ${problem}`);
  }
}

/** Checks the `--require` names; a required tool that a stage probes inside its run is probed now. */
export async function checkRequired(registry: Registry, require: readonly string[], config: RunConfig): Promise<void> {
  const declared = new Set(registry.stages.flatMap((s) => (s.tools ?? []).map((t) => t.name)));
  const probed = registry.probedTools ?? {};
  const known = toolNames(registry);
  for (const name of require) {
    if (!known.includes(name)) {
      const tools = known.join(', ') || 'none';
      throw new UserError(
        `--require ${name}: no stage uses a tool of that name${didYouMean(name, known)}; tools: ${tools}`,
      );
    }
    const tool = probed[name];
    if (declared.has(name) || !tool) continue;
    const found = await tool.spec.probe(tool.config(config), exec);
    if (!found.ok) throw new UserError(`${name} is required (--require) but unavailable: ${found.error.message}`, 1);
  }
}

/**
 * The config file to read. The default one is the package's when the working directory has none, so that
 * `enginefoundry validate --model my.onnx` works from the user's own folder.
 */
function configFile(given: string): string {
  const fallback = OPTIONS['config']?.spec.default;
  if (given !== fallback || existsSync(given)) return given;
  // Compiled, this module is dist/pipeline/ or part of the bundle dist/cli/main.js: two levels below the root.
  const packaged = fileURLToPath(new URL(`../../${fallback}`, import.meta.url));
  return existsSync(packaged) ? packaged : given;
}

/** The run config: the file, `--set`, the project's own options, the schema, then the project's preflight. */
export async function projectConfig(
  registry: Registry,
  argv: { config: string; set?: string[] } & Args,
): Promise<Result<RunConfig, string>> {
  const given = Object.entries(registry.options ?? {}).filter(([name]) => {
    const v = argv[name];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  });
  const adjust = (c: RunConfig): Result<RunConfig, string> =>
    given.reduce<Result<RunConfig, string>>(
      (r, [name, o]) => (r.ok ? o.apply(r.value, argv[name] as string | string[], process.cwd()) : r),
      ok(c),
    );
  const schema = withCacheSection(registry.configSchema);
  const file = configFile(argv.config);
  const config = await loadConfig(file, schema, argv.set ?? [], adjust, registry.checkConfig);
  return config.ok && registry.preflight ? registry.preflight(config.value, file) : config;
}
