/**
 * The one CLI: `zx pipeline.mjs <command>`, the `enginefoundry` bin and the Makefile all end here.
 * Exit codes: 0 done (skips included), 1 a stage failed or a required tool is missing, 2 bad config or usage,
 * 130 / 143 interrupted by SIGINT / SIGTERM.
 * A failure the user caused is one line (`error: …`); only a bug reads `internal error`.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs, { type Argv } from 'yargs';
import { checkArtifacts } from './artifacts-dir.js';
import { remoteFrom, stageConfig, withCacheSection } from './cache-config.js';
import { cacheSync } from './cache-sync.js';
import { OPTIONS, withOptions, type OptionRow, type Scope } from './cli-options.js';
import { loadCodeIdentity } from './code-identity.js';
import { loadConfig, type RunConfig } from './config.js';
import { exec } from './exec.js';
import { fail, report, unknownArgument, version } from './cli-messages.js';
import { UserError } from './failure.js';
import { canonical, sha256 } from './fingerprint.js';
import { gc, gcLines } from './gc.js';
import { checkDeclarations, select } from './graph.js';
import { createLogger } from './log.js';
import { checkLatest, writeLatest } from './latest.js';
import type { Registry } from './registry.js';
import { ok, type Result } from './result.js';
import { planStages, runStages } from './runner.js';
import { exitCodeFor, exitSoon, interruptedBy, trapSignals } from './signals.js';
import { isCorrupt, Store } from './store.js';
import { didYouMean } from './suggest.js';
import { logSummary, planTable, runJson } from './summary.js';
import type { Logger } from './log.js';
import type { RemoteCache } from './remote-cache.js';
import type { Outcome } from './runner.js';

interface Common {
  config: string;
  precision: 'fp32' | 'fp16' | 'all';
  force: boolean;
  explain: boolean;
  verbose: boolean;
  json?: boolean;
  require: string[];
  set: string[];
  baseline?: string;
  artifacts: string;
  remoteCache?: string;
  verify: boolean;
}

const RUN_COMMANDS: Record<string, string> = {
  run: 'every stage this machine can run (the default)',
  build: 'build the model (model.onnx)',
  validate: 'build and validate the model',
  optimize: 'optimize the model (model.opt.onnx, passes.json)',
  onnx: 'every ONNX artifact: built, optimized, FP16',
  engines: 'TensorRT engines (skipped without trtexec)',
  bench: 'benchmark every engine (re-measured on each run)',
  report: 'report.md and report.html from the benchmark',
  graph: 'the raw and optimized graphs drawn with GraphViz',
};

function print(text: string): void {
  process.stdout.write(text);
}

function excludedBy(registry: Registry, precision: Common['precision']): Map<string, string> {
  const out = new Map<string, string>();
  if (precision === 'all') return out;
  for (const s of registry.stages) {
    const p = s.tags?.['precision'];
    if (p && p !== precision) out.set(s.name, `left out by --precision ${precision}`);
  }
  return out;
}

/** Every tool a stage declares or probes inside its run: what `--require` accepts. */
function toolNames(registry: Registry): string[] {
  const declared = registry.stages.flatMap((s) => (s.tools ?? []).map((t) => t.name));
  return [...new Set([...declared, ...Object.keys(registry.probedTools ?? {})])];
}

/** Checks the `--require` names; a required tool that a stage probes inside its run is probed now. */
async function checkRequired(registry: Registry, argv: Common, config: RunConfig): Promise<void> {
  const declared = new Set(registry.stages.flatMap((s) => (s.tools ?? []).map((t) => t.name)));
  const probed = registry.probedTools ?? {};
  const known = toolNames(registry);
  for (const name of argv.require) {
    if (!known.includes(name)) {
      const tools = known.join(', ') || 'none';
      throw new UserError(
        `--require ${name}: no stage uses a tool of that name${didYouMean(name, known)}; tools: ${tools}`,
      );
    }
    const tool = probed[name];
    if (declared.has(name) || !tool) continue;
    const found = await tool.spec.probe(tool.config(config), exec);
    if (!found.ok) throw new UserError(`${name} is required (--require) but unavailable: ${found.error.reason}`, 1);
  }
}

/**
 * The config file to read. The default one is the package's when the working directory has none, so that
 * `enginefoundry validate --model my.onnx` works from the user's own folder.
 */
function configFile(given: string): string {
  const fallback = OPTIONS['config']?.spec.default;
  if (given !== fallback || existsSync(given)) return given;
  // Compiled, this module is dist/pipeline/cli.js or part of the bundle dist/cli/main.js: two levels below.
  const packaged = fileURLToPath(new URL(`../../${fallback}`, import.meta.url));
  return existsSync(packaged) ? packaged : given;
}

/** The run config: the file, `--set`, the project's own options, the schema, then the project's preflight. */
export async function projectConfig(
  registry: Registry,
  argv: Pick<Common, 'config' | 'set'>,
): Promise<Result<RunConfig, string>> {
  const given = Object.entries(registry.options ?? {}).filter(([name]) => {
    const v = (argv as unknown as Record<string, unknown>)[name];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  });
  const adjust = (c: RunConfig): Result<RunConfig, string> =>
    given.reduce<Result<RunConfig, string>>(
      (r, [name, o]) =>
        r.ok ? o.apply(r.value, (argv as unknown as Record<string, string | string[]>)[name]!, process.cwd()) : r,
      ok(c),
    );
  const schema = withCacheSection(registry.configSchema);
  const file = configFile(argv.config);
  const config = await loadConfig(file, schema, argv.set ?? [], adjust, registry.checkConfig);
  return config.ok && registry.preflight ? registry.preflight(config.value, file) : config;
}

async function runCommand(registry: Registry, command: string, argv: Common, planOnly: boolean): Promise<number> {
  const started = performance.now();
  const declared = checkDeclarations(registry.stages);
  if (!declared.ok) throw new Error(declared.error);
  const config = await projectConfig(registry, argv);
  if (!config.ok) throw new UserError(config.error);
  const targets =
    command === 'run' || command === 'plan' ? registry.stages.map((s) => s.name) : registry.targets[command];
  if (!targets) throw new Error(`no targets registered for command ${command}`);
  const selected = select(registry.stages, targets);
  if (!selected.ok) throw new Error(selected.error);
  const store = new Store(resolve(argv.artifacts));
  const excluded = excludedBy(registry, argv.precision);
  await checkRequired(registry, argv, config.value);
  const options = { ...(argv.baseline ? { baseline: resolve(argv.baseline) } : {}) };
  const problem = planOnly ? undefined : await registry.checkOptions?.(options);
  if (problem) throw new UserError(problem);

  const log = createLogger({ ...(argv.json ? { json: true } : {}), verbose: argv.verbose });
  const remote = remoteFrom(argv.remoteCache, config.value, argv.config, (m) => log.warn(m));
  if (!remote.ok) throw new UserError(remote.error);
  const code = registry.code ?? (await loadCodeIdentity());
  const common = {
    store,
    exec,
    force: argv.force,
    require: argv.require,
    excluded,
    code,
    ...(remote.value ? { remote: remote.value } : {}),
  };
  if (planOnly) {
    const plan = await planStages(selected.value, config.value, {
      ...common,
      warn: (stage, m) => log.warn({ stage }, m),
    });
    remote.value?.close();
    print(
      argv.json
        ? `${JSON.stringify({ config: argv.config, stages: plan.map(({ outputs: _o, ...p }) => p) })}\n`
        : planTable(plan),
    );
    return 0;
  }
  await checkArtifacts(argv.artifacts);
  await checkLatest(store, argv.artifacts);

  const trap = trapSignals();
  try {
    const outcomes = await runStages(selected.value, config.value, {
      ...common,
      log,
      explain: argv.explain,
      verify: argv.verify,
      reuse: new Set(selected.value.filter((s) => s.cache === 'never' && !targets.includes(s.name)).map((s) => s.name)),
      options: { ...options, ...(argv.precision !== 'all' ? { precision: argv.precision } : {}) },
      signal: trap.controller.signal,
      shownAs: argv.artifacts,
    });
    const signal = trap.controller.signal;
    return await finish(outcomes, {
      command,
      argv,
      started,
      store,
      log,
      remote: remote.value,
      signal,
      config: config.value,
    });
  } finally {
    trap.release();
  }
}

/** After the stages: uploads finished, `latest` written, fresh stamps, the summary and the exit code. */
interface Finish {
  command: string;
  argv: Common;
  started: number;
  store: Store;
  log: Logger;
  remote: RemoteCache | undefined;
  signal: AbortSignal;
  config: RunConfig;
}

async function finish(outcomes: Outcome[], r: Finish): Promise<number> {
  const interrupted = interruptedBy(r.signal);
  // Uploads finish before the process ends, unless a signal asked it to stop.
  if (!interrupted) await r.remote?.flush();
  r.remote?.close();
  const configSha = sha256(canonical(stageConfig(r.config)));
  await writeLatest(r.store, r.argv.config, outcomes, { configSha, ...(interrupted ? { interrupted } : {}) });
  await r.store.restamp(outcomes.flatMap((o) => Object.values(o.outputs).map((x) => x.sha256)));
  const ms = performance.now() - r.started;
  logSummary(r.log, outcomes, ms);
  const failed = outcomes.filter((o) => o.status === 'failed');
  const failedCode = failed.length === 0 ? 0 : failed.every((o) => o.cause === 'user-error') ? 2 : 1;
  const code = interrupted ? exitCodeFor(interrupted) : failedCode;
  if (r.argv.json) print(`${JSON.stringify(runJson(r.command, r.argv.config, code, outcomes, ms))}\n`);
  // Abandoned work (a stage deaf to the abort) must not keep the process alive.
  if (interrupted) exitSoon(code);
  return code;
}

async function cacheCommand(registry: Registry, action: string, argv: Common): Promise<number> {
  const store = new Store(resolve(argv.artifacts));
  if (action === 'push' || action === 'pull') {
    const config = await projectConfig(registry, argv);
    if (!config.ok) throw new UserError(config.error);
    return cacheSync(registry, action, store, config.value, argv);
  }
  const entries = await store.entries();
  if (action === 'ls') {
    const rows = entries.map((e) => ({
      stage: e.stage,
      key: e.key,
      ...(isCorrupt(e.entry)
        ? { corrupt: true }
        : {
            bytes: Object.values(e.entry.outputs).reduce((n, o) => n + o.size, 0),
            outputs: Object.fromEntries(Object.entries(e.entry.outputs).map(([l, o]) => [l, o.file])),
          }),
      created: new Date(e.mtimeMs).toISOString(),
    }));
    if (argv.json) print(`${JSON.stringify(rows)}\n`);
    else
      for (const r of rows)
        print(
          `${r.stage.padEnd(18)} ${r.key.slice(0, 12)}  ${'corrupt' in r ? 'corrupt' : `${(r.bytes / 1e6).toFixed(2).padStart(8)} MB  ${Object.values(r.outputs).join(', ')}`}  ${r.created}\n`,
        );
    return 0;
  }
  if (action === 'verify') {
    let bad = 0;
    for (const e of entries) {
      const check = isCorrupt(e.entry)
        ? { ok: false as const, problem: `entry malformed (${e.entry.corrupt})` }
        : await store.check(e.entry, true);
      if (!check.ok) {
        bad++;
        await store.evict(e.stage, e.key, isCorrupt(e.entry) ? undefined : e.entry);
        fail(argv.json, `${e.stage} ${e.key.slice(0, 12)}: ${check.problem}; evicted (the next run rebuilds it)`);
      }
    }
    print(
      argv.json
        ? `${JSON.stringify({ entries: entries.length, corrupt: bad })}\n`
        : `${entries.length} entries verified, ${bad} corrupt${bad ? ' (evicted)' : ''}\n`,
    );
    return bad ? 1 : 0;
  }
  const keep = new Set<string>();
  try {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(resolve(argv.artifacts, 'latest', 'manifest.json'), 'utf8')) as {
      stages: Record<string, { key?: string }>;
    };
    for (const s of Object.values(manifest.stages)) if (s.key) keep.add(s.key);
  } catch {
    // No latest run: keep each stage's newest entry only.
  }
  const r = await gc(store, keep);
  print(argv.json ? `${JSON.stringify(r)}\n` : `${gcLines(r).join('\n')}\n`);
  return 0;
}

/**
 * Option rows the project adds: its own options (`--model`, `--dim`) for the commands that read a config, and
 * `--require` described with the tools it accepts.
 */
function projectRows(registry: Registry): Record<string, OptionRow> {
  const rows: Record<string, OptionRow> = {};
  for (const [name, o] of Object.entries(registry.options ?? {})) {
    const spec = { type: 'string', describe: o.describe } as const;
    rows[name] = { scopes: ['run', 'plan'], ...(o.array ? { repeatable: true } : {}), spec };
  }
  const require = OPTIONS['require']!;
  const describe = `${String(require.spec.describe)}: ${toolNames(registry).join(', ')}`;
  rows['require'] = { ...require, spec: { ...require.spec, describe } };
  return rows;
}

/**
 * yargs lays out the whole help text after every command handler starts, in case a later failure wants to print
 * it; this CLI's failures never print help, and the layout was a quarter of a no-op run. Through yargs's internal
 * methods, so it is guarded: a yargs without them keeps its default.
 */
function skipHelpCache(parser: Argv): void {
  type Usage = { cacheHelpMessage?: () => void };
  const internal = parser as unknown as { getInternalMethods?: () => { getUsageInstance?: () => Usage } };
  const usage = internal.getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** Parses `args` (without node and the script) and runs the command; resolves to the exit code. */
export async function main(args: readonly string[], registry: Registry): Promise<number> {
  let code = 0;
  const json = args.includes('--json');
  const usage = (message: string) => {
    fail(json, `${message}; run with --help for the commands and options`);
    code = 2;
  };
  const commands: Record<string, string> = { ...RUN_COMMANDS };
  for (const [name, stages] of Object.entries(registry.targets)) {
    commands[name] ??= `stages ${stages.join(', ')} and what they consume`;
  }
  const known = [...Object.keys(commands).filter((n) => n === 'run' || n in registry.targets), 'plan', 'cache'];
  const handle =
    (command: string, planOnly = false) =>
    async (argv: unknown) => {
      // The default command sees stray words as positionals rather than as an unknown command.
      const words = (argv as { _: unknown[] })._;
      const extra = words.slice(words[0] === command ? 1 : 0);
      if (code !== 0) return;
      if (extra.length > 0) return usage(`unknown command ${String(extra[0])}${didYouMean(String(extra[0]), known)}`);
      code = await runCommand(registry, command, argv as Common, planOnly);
    };
  const more = projectRows(registry);
  const scoped = (scope: Scope) => (y: Argv) => withOptions(y, scope, more);

  let parser = yargs([...args])
    .scriptName('enginefoundry')
    .usage('$0 <command> [options]')
    .exitProcess(false)
    .strict()
    .version('version', 'the version of enginefoundry', args.includes('--version') ? version() : '')
    .help()
    // Laying out help unwrapped is cheaper, should yargs do it (see skipHelpCache); --help keeps 80 columns.
    .wrap(args.includes('--help') ? Math.min(80, process.stdout.columns ?? 80) : null)
    .fail((message: string | undefined, e: Error | undefined) => {
      // yargs's own validation errors arrive as YError; anything else is a bug in a handler.
      if (e && e.name !== 'YError') throw e;
      usage(unknownArgument(message ?? e?.message ?? 'invalid arguments', args, known));
    });
  parser = parser.command(['run', '$0'], RUN_COMMANDS['run']!, scoped('run'), handle('run'));
  for (const name of known) {
    if (name === 'run' || !(name in registry.targets)) continue;
    parser = parser.command(name, commands[name]!, scoped('run'), handle(name));
  }
  parser = parser
    .command(
      'plan',
      'what a run would do: stages, keys, hit or miss, without running anything',
      scoped('plan'),
      handle('plan', true),
    )
    .command(
      'cache <action>',
      'the artifact store: ls, verify (re-hash everything, evict what is corrupt), gc, push/pull',
      (y) =>
        scoped('cache')(y).positional('action', {
          choices: ['ls', 'verify', 'gc', 'push', 'pull'] as const,
          describe: 'what to do',
        }),
      async (argv) => {
        // yargs reports invalid choices through .fail() and still calls the handler.
        if (code !== 0) return;
        code = await cacheCommand(registry, String(argv['action']), argv as unknown as Common);
      },
    );
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (e) {
    return report(e, json);
  }
  return code;
}
