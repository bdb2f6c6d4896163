/**
 * The one CLI: `zx pipeline.mjs <command>`, the `enginefoundry` bin and the Makefile all end here.
 * Exit codes: 0 done (skips included), 1 a stage failed or a required tool is missing, 2 bad config or usage.
 */
import { resolve } from 'node:path';
import yargs, { type Argv } from 'yargs';
import { loadConfig, type RunConfig } from './config.js';
import { exec } from './exec.js';
import { checkDeclarations, select } from './graph.js';
import { createLogger } from './log.js';
import { writeLatest } from './latest.js';
import type { Registry } from './registry.js';
import { ok, type Result } from './result.js';
import { planStages, runStages } from './runner.js';
import { Store } from './store.js';
import { logSummary, planTable } from './summary.js';

interface Common {
  config: string;
  precision: 'fp32' | 'fp16' | 'all';
  force: boolean;
  explain: boolean;
  json?: boolean;
  require: string[];
  set: string[];
  baseline?: string;
  artifacts: string;
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
function fail(json: boolean | undefined, message: string): void {
  if (json) process.stderr.write(`${JSON.stringify({ level: 50, msg: message })}\n`);
  else process.stderr.write(`error: ${message}\n`);
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

/** The run config: the file, `--set`, the project's own options, the schema, then the project's preflight. */
async function projectConfig(registry: Registry, argv: Common): Promise<Result<RunConfig, string>> {
  const given = Object.entries(registry.options ?? {}).filter(([name]) => {
    const v = (argv as unknown as Record<string, unknown>)[name];
    return v !== undefined && !(Array.isArray(v) && v.length === 0);
  });
  const adjust = (c: RunConfig): Result<RunConfig, string> => given.reduce<Result<RunConfig, string>>(
    (r, [name, o]) => (r.ok ? o.apply(r.value, (argv as unknown as Record<string, string | string[]>)[name]!, process.cwd()) : r), ok(c));
  const config = await loadConfig(argv.config, registry.configSchema, argv.set, adjust);
  return config.ok && registry.preflight ? registry.preflight(config.value, argv.config) : config;
}

async function runCommand(registry: Registry, command: string, argv: Common, planOnly: boolean): Promise<number> {
  const started = performance.now();
  const declared = checkDeclarations(registry.stages);
  if (!declared.ok) {
    fail(argv.json, `internal error: ${declared.error}`);
    return 1;
  }
  const config = await projectConfig(registry, argv);
  if (!config.ok) {
    fail(argv.json, config.error);
    return 2;
  }
  const targets = command === 'run' || command === 'plan' ? registry.stages.map((s) => s.name) : registry.targets[command];
  if (!targets) {
    fail(argv.json, `internal error: no targets registered for command ${command}`);
    return 1;
  }
  const selected = select(registry.stages, targets);
  if (!selected.ok) {
    fail(argv.json, `internal error: ${selected.error}`);
    return 1;
  }
  const store = new Store(resolve(argv.artifacts));
  const excluded = excludedBy(registry, argv.precision);
  const known = new Set(registry.stages.flatMap((s) => (s.tools ?? []).map((t) => t.name)));
  const unknownTool = argv.require.find((t) => !known.has(t));
  if (unknownTool) {
    fail(argv.json, `--require ${unknownTool}: no stage uses a tool of that name; tools: ${[...known].join(', ') || 'none'}`);
    return 2;
  }

  if (planOnly) {
    const plan = await planStages(selected.value, config.value, { store, exec, force: argv.force, require: argv.require, excluded });
    print(argv.json ? `${JSON.stringify({ config: argv.config, stages: plan.map(({ outputs: _o, ...p }) => p) })}\n` : planTable(plan));
    return 0;
  }

  const log = createLogger({ ...(argv.json ? { json: true } : {}) });
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const outcomes = await runStages(selected.value, config.value, {
      store,
      log,
      exec,
      force: argv.force,
      explain: argv.explain,
      require: argv.require,
      excluded,
      reuse: new Set(selected.value.filter((s) => s.cache === 'never' && !targets.includes(s.name)).map((s) => s.name)),
      options: { ...(argv.baseline ? { baseline: resolve(argv.baseline) } : {}), ...(argv.precision !== 'all' ? { precision: argv.precision } : {}) },
      signal: controller.signal,
    });
    await writeLatest(store, argv.config, outcomes);
    logSummary(log, outcomes, performance.now() - started);
    return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function cacheCommand(action: string, argv: Common): Promise<number> {
  const store = new Store(resolve(argv.artifacts));
  const entries = await store.entries();
  if (action === 'ls') {
    const rows = entries.map((e) => ({
      stage: e.stage,
      key: e.key,
      ...(e.entry === 'corrupt' ? { corrupt: true } : { bytes: Object.values(e.entry.outputs).reduce((n, o) => n + o.size, 0), outputs: Object.fromEntries(Object.entries(e.entry.outputs).map(([l, o]) => [l, o.file])) }),
      created: new Date(e.mtimeMs).toISOString(),
    }));
    if (argv.json) print(`${JSON.stringify(rows)}\n`);
    else for (const r of rows) print(`${r.stage.padEnd(18)} ${r.key.slice(0, 12)}  ${'corrupt' in r ? 'corrupt' : `${(r.bytes / 1e6).toFixed(2).padStart(8)} MB  ${Object.values(r.outputs).join(', ')}`}  ${r.created}\n`);
    return 0;
  }
  if (action === 'verify') {
    let bad = 0;
    for (const e of entries) {
      const check = e.entry === 'corrupt' ? { ok: false as const, problem: 'entry file unreadable' } : await store.check(e.entry, true);
      if (!check.ok) {
        bad++;
        await store.evict(e.stage, e.key, e.entry === 'corrupt' ? undefined : e.entry);
        fail(argv.json, `${e.stage} ${e.key.slice(0, 12)}: ${check.problem}; evicted (the next run rebuilds it)`);
      }
    }
    print(argv.json ? `${JSON.stringify({ entries: entries.length, corrupt: bad })}\n` : `${entries.length} entries verified, ${bad} corrupt${bad ? ' (evicted)' : ''}\n`);
    return bad ? 1 : 0;
  }
  const keep = new Set<string>();
  try {
    const { readFile } = await import('node:fs/promises');
    const manifest = JSON.parse(await readFile(resolve(argv.artifacts, 'latest', 'manifest.json'), 'utf8')) as { stages: Record<string, { key?: string }> };
    for (const s of Object.values(manifest.stages)) if (s.key) keep.add(s.key);
  } catch {
    // No latest run: keep each stage's newest entry only.
  }
  const r = await store.gc(keep);
  print(argv.json ? `${JSON.stringify(r)}\n` : `removed ${r.entries} entries, ${r.objects} objects (${(r.bytes / 1e6).toFixed(2)} MB), ${r.tmp} abandoned tmp dirs\n`);
  return 0;
}

/** Parses `args` (without node and the script) and runs the command; resolves to the exit code. */
export async function main(args: readonly string[], registry: Registry): Promise<number> {
  let code = 0;
  const withOptions = (y: Argv) =>
    y
      .option('config', { type: 'string', default: 'configs/mobilenetv2.yaml', describe: 'run config (YAML)' })
      .option('precision', { choices: ['fp32', 'fp16', 'all'] as const, default: 'all' as const, describe: 'leave out stages of the other precision' })
      .option('force', { type: 'boolean', default: false, describe: 'rebuild the selected stages even on a cache hit' })
      .option('explain', { type: 'boolean', default: false, describe: 'say per stage why it missed (which key input changed)' })
      .option('json', { type: 'boolean', describe: 'JSON lines (the default when stderr is not a terminal)' })
      .option('require', { type: 'string', array: true, default: [] as string[], describe: 'a tool whose absence is an error, not a skip (repeatable)' })
      .option('set', { type: 'string', array: true, default: [] as string[], describe: 'override a config field: --set bench.runs=5' })
      .option('baseline', { type: 'string', describe: 'an earlier bench.json to compare with (benchmark stage)' })
      .option('artifacts', { type: 'string', default: 'artifacts', describe: 'artifact store directory' })
      .options(Object.fromEntries(Object.entries(registry.options ?? {}).map(([name, o]) =>
        [name, { type: 'string' as const, describe: o.describe, ...(o.array ? { array: true } : {}) }])));
  const run = (command: string, planOnly = false) => async (argv: unknown) => {
    // The default command sees stray words as positionals rather than as an unknown command.
    const words = (argv as { _: unknown[] })._;
    const extra = words.slice(words[0] === command ? 1 : 0);
    if (code !== 0) return;
    if (extra.length > 0) {
      process.stderr.write(`error: unknown command ${String(extra[0])}\nRun with --help for the commands and options.\n`);
      code = 2;
      return;
    }
    code = await runCommand(registry, command, argv as Common, planOnly);
  };
  const commands: Record<string, string> = { ...RUN_COMMANDS };
  for (const [name, stages] of Object.entries(registry.targets)) commands[name] ??= `stages ${stages.join(', ')} and what they consume`;

  let parser = yargs([...args])
    .scriptName('enginefoundry')
    .usage('$0 <command> [options]')
    .exitProcess(false)
    .strict()
    .version(false)
    .help()
    // yargs lays out the whole help text on every command run, in case it is asked for; unwrapped, that costs
    // a tenth of a no-op run less. Help itself keeps yargs's 80-column layout.
    .wrap(args.includes('--help') ? Math.min(80, process.stdout.columns ?? 80) : null)
    .fail((message: string | undefined, e: Error | undefined) => {
      if (e) throw e;
      process.stderr.write(`error: ${message ?? 'invalid arguments'}\nRun with --help for the commands and options.\n`);
      code = 2;
    });
  parser = parser.command(['run', '$0'], RUN_COMMANDS['run']!, withOptions, run('run'));
  for (const [name, description] of Object.entries(commands)) {
    if (name !== 'run' && (name in registry.targets)) parser = parser.command(name, description, withOptions, run(name));
  }
  parser = parser
    .command('plan', 'what a run would do: stages, keys, hit or miss, without running anything', withOptions, run('plan', true))
    .command('cache <action>', 'the artifact store: ls, verify (re-hash everything, evict what is corrupt), gc', (y) =>
      withOptions(y).positional('action', { choices: ['ls', 'verify', 'gc'] as const, describe: 'what to do' }), async (argv) => {
      // yargs reports invalid choices through .fail() and still calls the handler.
      if (code !== 0) return;
      code = await cacheCommand(String(argv['action']), argv as unknown as Common);
    });
  try {
    await parser.parseAsync();
  } catch (e) {
    // Only bugs (and a broken environment, e.g. a full disk) reach here: one line, the stack on request.
    process.stderr.write(`internal error: ${(e as Error)?.message ?? String(e)}\n${process.env['ENGINEFOUNDRY_DEBUG'] ? `${(e as Error)?.stack ?? ''}\n` : ''}`);
    return 1;
  }
  return code;
}
