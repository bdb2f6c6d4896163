/**
 * The commands that run stages (`run` and the project's) and `plan`: the config read and checked, the stages
 * selected and filtered, then either the plan printed or the stages run, `latest` written and the exit code.
 */
import { resolve } from 'node:path';
import { checkArtifacts } from '../store/artifacts-dir.js';
import { remoteFrom, stageConfig } from '../store/cache-config.js';
import {
  checkRequired,
  checkStageOptions,
  commandTable,
  excludedBy,
  projectConfig,
  stageOptionValues,
  type Args,
} from './project.js';
import { loadCodeIdentity } from '../plan/code-identity.js';
import type { RunConfig } from '../config/config.js';
import { exec } from '../execute/exec.js';
import { UserError } from '../failure.js';
import { canonical, sha256 } from '../plan/fingerprint.js';
import { checkDeclarations, select, type AnyStage } from '../plan/graph.js';
import { checkLatest, viewName, writeLatest } from '../store/latest.js';
import { createLogger, logFormat, type Logger } from '../log/log.js';
import type { RemoteCache } from '../store/remote-cache.js';
import type { Registry } from '../registry.js';
import { planStages, runStages, type Outcome } from '../execute/runner.js';
import { exitCodeFor, exitSoon, interruptedBy, trapSignals } from '../execute/signals.js';
import { unstampedNote } from '../store/stamp.js';
import { Store } from '../store/store.js';
import { logSummary, planTable, runJson } from '../log/summary.js';
import { stageSummaries } from '../log/stage-summary.js';

/** The options of `run`, `plan` and the project's commands, as yargs parses them (options.ts describes each). */
export interface RunArgs extends Args {
  /** The run config's path. */
  config: string;
  /** `--set a.b=value` overrides, in the order given. */
  set: string[];
  /** Rebuild the selected stages even on a hit. */
  force: boolean;
  /** Say per stage which key input changed. */
  explain: boolean;
  /** Full reasons for skipped stages on the terminal. */
  verbose: boolean;
  /** Stages built at once, as typed (checked to be a whole number ≥ 1 before the run). */
  jobs: string;
  /** Results as JSON on stdout, the log as JSON lines on stderr. */
  json?: boolean;
  /** `--log-format`: human or json; undefined leaves it to the environment. */
  logFormat?: string;
  /** Tools whose absence fails the run rather than skipping their stages. */
  require: string[];
  /** The store's folder. */
  artifacts: string;
  /** `--remote-cache`: the remote cache's base URL, over the config's. */
  remoteCache?: string;
  /** Re-hash every artifact a hit serves (on by default under CI). */
  verify: boolean;
}

const print = (text: string): void => void process.stdout.write(text);

/** Everything a plan or a run starts from. */
interface Prepared {
  config: RunConfig;
  targets: readonly string[];
  selected: AnyStage[];
  store: Store;
  /** The stage options' values, as the stages see them. */
  options: Record<string, string>;
  excluded: Map<string, string>;
  log: Logger;
  remote: RemoteCache | undefined;
  code: Readonly<Record<string, string>>;
  subject: Readonly<Record<string, string>> | undefined;
}

async function prepare(registry: Registry, command: string, argv: RunArgs, planOnly: boolean): Promise<Prepared> {
  const declared = checkDeclarations(registry.stages);
  if (!declared.ok) throw new Error(declared.error);
  const config = await projectConfig(registry, argv);
  if (!config.ok) throw new UserError(config.error);
  const targets = commandTable(registry)[command]?.targets ?? registry.stages.map((s) => s.name);
  const selected = select(registry.stages, targets);
  if (!selected.ok) throw new Error(selected.error);
  const options = stageOptionValues(registry, command, argv);
  await checkRequired(registry, argv.require, config.value);
  if (!planOnly) await checkStageOptions(registry, options);
  const format = logFormat(argv.logFormat);
  if (format !== 'human' && format !== 'json') throw new UserError(format);
  const log = createLogger({ json: argv.json === true || format === 'json', verbose: argv.verbose });
  const remote = remoteFrom(argv.remoteCache, config.value, argv.config, (m) => log.warn(m));
  if (!remote.ok) throw new UserError(remote.error);
  return {
    config: config.value,
    targets,
    selected: selected.value,
    store: new Store(resolve(argv.artifacts)),
    options,
    excluded: excludedBy(registry, options),
    log,
    remote: remote.value,
    code: registry.code ?? (await loadCodeIdentity()),
    subject: registry.subject?.(config.value),
  };
}

const common = (p: Prepared, argv: RunArgs) => ({
  store: p.store,
  exec,
  force: argv.force,
  require: argv.require,
  excluded: p.excluded,
  code: p.code,
  remote: p.remote,
});

async function plan(p: Prepared, argv: RunArgs): Promise<number> {
  const planned = await planStages(p.selected, p.config, {
    ...common(p, argv),
    options: p.options,
    warn: (stage, m) => p.log.warn({ stage }, m),
  });
  p.remote?.close();
  if (p.store.unstamped > 0) p.log.warn(unstampedNote(p.store.unstamped));
  print(
    argv.json
      ? `${JSON.stringify({ config: argv.config, stages: planned.map(({ outputs: _o, ...s }) => s) })}\n`
      : planTable(planned),
  );
  return 0;
}

export async function runCommand(registry: Registry, command: string, argv: RunArgs, planOnly: boolean) {
  const started = performance.now();
  const p = await prepare(registry, command, argv, planOnly);
  if (planOnly) return plan(p, argv);
  await checkArtifacts(argv.artifacts);
  const jobs = Number(argv.jobs);
  if (!/^\d+$/.test(argv.jobs) || jobs < 1)
    throw new UserError(`--jobs ${argv.jobs}: give a whole number of stages to build at once, 1 or more`);
  await checkLatest(p.store, argv.artifacts, viewName(argv.config, p.subject?.['name']));
  const trap = trapSignals();
  try {
    const signal = trap.controller.signal;
    const outcomes = await runStages(p.selected, p.config, {
      ...common(p, argv),
      log: p.log,
      explain: argv.explain,
      verify: argv.verify,
      concurrency: jobs,
      // A measurement the command did not ask for (the benchmark under `report`) reuses its newest result.
      reuse: new Set(p.selected.filter((s) => s.cache === 'never' && !p.targets.includes(s.name)).map((s) => s.name)),
      options: p.options,
      signal,
      shownAs: argv.artifacts,
    });
    return await finish(outcomes, { command, argv, started, prepared: p, signal });
  } finally {
    trap.release();
  }
}

interface Finish {
  command: string;
  argv: RunArgs;
  started: number;
  prepared: Prepared;
  signal: AbortSignal;
}

/** After the stages: uploads finished, `latest` written, fresh stamps, the summary and the exit code. */
async function finish(outcomes: Outcome[], r: Finish): Promise<number> {
  const { store, remote, log, config } = r.prepared;
  const interrupted = interruptedBy(r.signal);
  // Uploads finish before the process ends, unless a signal asked it to stop.
  if (!interrupted) await remote?.flush();
  remote?.close();
  const configSha = sha256(canonical(stageConfig(config)));
  const name = viewName(r.argv.config, r.prepared.subject?.['name']);
  await writeLatest(store, r.argv.config, outcomes, { configSha, name, interrupted });
  const ms = performance.now() - r.started;
  logSummary(log, outcomes, ms);
  const failed = outcomes.filter((o) => o.status === 'failed');
  const failedCode = failed.length === 0 ? 0 : failed.every((o) => o.cause === 'user-error') ? 2 : 1;
  const code = interrupted ? exitCodeFor(interrupted) : failedCode;
  const subject = r.prepared.subject;
  if (r.argv.json) {
    const summaries = await stageSummaries(r.prepared.selected, outcomes, resolve(r.argv.artifacts, 'latest'));
    print(`${JSON.stringify(runJson(r.command, r.argv.config, code, outcomes, ms, summaries, subject))}\n`);
  }
  // Abandoned work (a stage deaf to the abort) must not keep the process alive.
  if (interrupted) exitSoon(code);
  return code;
}
