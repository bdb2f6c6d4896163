/**
 * The run loop: each selected stage waits for its producers, asks the planner what to do (pipeline/plan/plan.ts,
 * the same decision `plan` prints), and on a miss takes the key's lock and hands the stage to the executor
 * (pipeline/execute/executor.ts). Independent stages run concurrently, bounded by `concurrency`. Whatever throws
 * while a stage is decided, set up, run or committed fails that stage alone, and the run goes on.
 */
import type { Exec } from './exec.js';
import { environmentMessage, UserError } from '../failure.js';
import { refChain, type AnyStage } from '../plan/graph.js';
import { execute, type ExecuteOptions, type Miss } from './executor.js';
import type { Produced } from '../plan/key-inputs.js';
import { acquire } from '../store/lock.js';
import type { Logger } from '../log/log.js';
import { lookup } from '../store/lookup.js';
import { Attempt, type Outcome } from './outcome.js';
import { cachedStep, decide, MISS, type PlanEnv, type Step } from '../plan/plan.js';
import { probeMemo } from '../plan/probe-memo.js';
import { ProgressBoard } from '../log/progress.js';
import type { RemoteCache } from '../store/remote-cache.js';
import { Slots } from './slots.js';
import type { Store } from '../store/store.js';
import { ToolProbes } from '../plan/tools.js';
import { unreachable } from '../unreachable.js';

export type { Outcome } from './outcome.js';
export { planStages, type PlanOutcome } from '../plan/plan.js';

/** What `run` (and the project's commands) give the run loop beside the stages and the config. */
export interface RunOptions {
  /** The local store every hit is looked up in and every build stored into. */
  store: Store;
  /** Where every event is said. */
  log: Logger;
  /** How stages and tool probes start programs. */
  exec: Exec;
  /** `--force`: rebuild the selected stages even on a hit. */
  force?: boolean;
  /** Log, on every miss, which inputs of the key changed since the stage's previous build. */
  explain?: boolean;
  /** Tool names whose absence is an error, not a skip. */
  require?: readonly string[];
  /** Stages left out by the caller (e.g. `--precision`): name → message. */
  excluded?: ReadonlyMap<string, string>;
  /** The stage options' values (`--precision fp16`): each stage sees those it declares. */
  options?: Readonly<Record<string, unknown>>;
  /**
   * `cache: 'never'` stages the command did not ask for (the benchmark under `report`): their newest stored
   * result for the same key is used instead of measuring again; without one they run.
   */
  reuse?: ReadonlySet<string>;
  /** Stages built at once (`--jobs`); 2 when not given. */
  concurrency?: number;
  /** The run's stop (SIGINT, SIGTERM): no stage starts after it, and those running are stopped. */
  signal?: AbortSignal;
  /** The artifact folder as the user named it: messages show a stage's inputs and outputs under its `latest/`. */
  shownAs?: string;
  /** Stage name → code digest (pipeline/plan/code-identity.ts); it enters the stage's key. */
  code?: Readonly<Record<string, string>>;
  /** Looked up after the local store; built entries are uploaded to it. */
  remote?: RemoteCache;
  /** Re-hash every object a cache hit serves. */
  verify?: boolean;
}

/** What the run loop shares between its stages. */
interface Loop {
  root: Readonly<Record<string, unknown>>;
  opts: RunOptions;
  probes: ToolProbes;
  signal: AbortSignal;
  results: Map<string, Outcome>;
  execute: ExecuteOptions;
}

/** What a consumer sees of a producer that has finished. */
function fromOutcome(o: Outcome | undefined, stage: string): Produced {
  if (!o) throw new Error(`Internal error: a stage ran before its producer ${stage}`);
  switch (o.status) {
    case 'built':
    case 'cached':
      return { state: 'ready', outputs: o.outputs };
    case 'skipped':
    case 'interrupted':
      return { state: 'absent', failed: false, cause: o.cause, message: o.message ?? '' };
    case 'failed':
      return { state: 'absent', failed: true };
    default:
      return unreachable(o.status);
  }
}

/** A decision that needs no build: a skip, or an entry that serves the stage. */
function settled(a: Attempt, step: Exclude<Step, Miss>): Outcome {
  switch (step.decision) {
    case 'pending':
      throw new Error(`Internal error: ${step.stage} has an unfinished producer`);
    case 'skip':
      if (step.cause === 'declined' && step.key) return a.declined(step.key, step.message, true);
      if (step.failed) return a.failed({ cause: step.cause, message: step.message }, 'plan');
      return a.skipped(step.cause, step.message);
    case 'hit':
    case 'remote-hit':
      return a.cached(step.fingerprint.key, step.outputs, step.decision === 'hit' ? 'local' : 'remote', {
        reused: step.reused,
        madeAt: step.madeAt,
      });
    default:
      return unreachable(step);
  }
}

/** A miss: one build per key at a time on this store; a second run waits, then takes the first one's entry. */
async function build(def: AnyStage, step: Miss, a: Attempt, env: PlanEnv, loop: Loop): Promise<Outcome> {
  const { signal, opts } = loop;
  const key = step.fingerprint.key;
  const cacheable = def.cache !== 'never';
  const waiting = (h: { pid?: number; host?: string }) => a.say({ kind: 'waiting', stage: def.name, key, ...h });
  const unlock = cacheable ? await acquire(opts.store.lockPath(def.name, key), signal, waiting) : async () => {};
  if (!unlock) return a.interrupted(signal);
  try {
    const built = cacheable && !opts.force ? await cachedStep(def, step, env, true) : undefined;
    if (built) return settled(a, built);
    const explain = opts.explain ? { explain: step.explain } : {};
    a.say({ kind: 'started', stage: def.name, key, why: MISS[step.why].run, ...explain });
    return (await execute(def, step, a, loop.execute)) ?? a.interrupted(signal);
  } finally {
    await unlock();
  }
}

/** Decides the stage, then settles it or builds it; may throw (attemptStage catches). */
async function decideThenBuild(def: AnyStage, a: Attempt, loop: Loop): Promise<Outcome> {
  const { opts, signal } = loop;
  if (signal.aborted) return a.interrupted(signal);
  const find = (d: AnyStage, key: string, localOnly: boolean) => lookup({ ...opts, warn: a.warn }, d, key, localOnly);
  const env: PlanEnv = { ...opts, probes: loop.probes, find };
  const step = await decide(def, loop.root, (s) => fromOutcome(loop.results.get(s), s), env);
  if ('fingerprint' in step) a.key = step.fingerprint.key;
  a.say({ kind: 'planned', stage: def.name, decision: step.decision, key: a.key });
  if (step.decision !== 'miss') return settled(a, step);
  if (signal.aborted) return a.interrupted(signal);
  return build(def, step, a, env, loop);
}

/** A throw from anywhere in a stage's execution, as the stage's failed outcome. */
function thrown(a: Attempt, e: unknown, signal: AbortSignal): Outcome {
  // Whatever a stage throws once the run is stopping is the stop's doing.
  if (signal.aborted) return a.interrupted(signal);
  // The user's (a typed failure) or the machine's (a full disk): a failed stage with what to do.
  const theirs = e instanceof UserError ? a.show(e.message) : environmentMessage(e, a.show);
  if (theirs !== undefined) {
    const cause = e instanceof UserError && e.exitCode === 2 ? 'user-error' : 'environment';
    return a.failed({ cause, message: `${a.stage}: ${theirs}` }, 'run');
  }
  const message = `internal error in stage ${a.stage}: ${(e as Error)?.message ?? String(e)}`;
  return a.failed({ cause: 'unknown-error-thrown', message }, 'run');
}

/** One stage, from the end of its producers to its outcome: the one catch is around the whole of it. */
async function attemptStage(def: AnyStage, loop: Loop): Promise<Outcome> {
  const a = new Attempt(def.name, loop.opts.log);
  let outcome: Outcome;
  try {
    outcome = await decideThenBuild(def, a, loop);
  } catch (e) {
    outcome = thrown(a, e, loop.signal);
  }
  loop.results.set(def.name, outcome);
  return outcome;
}

/** Runs `stages` (in dependency order) to their outcomes: the whole run loop. */
export async function runStages(
  stages: readonly AnyStage[],
  root: Readonly<Record<string, unknown>>,
  opts: RunOptions,
): Promise<Outcome[]> {
  const signal = opts.signal ?? new AbortController().signal;
  const executing = {
    ...opts,
    root,
    signal,
    board: new ProgressBoard(opts.log),
    slots: new Slots(opts.concurrency ?? 2),
  };
  const probes = new ToolProbes(opts.exec, probeMemo(opts.store.probesPath));
  const loop: Loop = { root, opts, probes, signal, results: new Map(), execute: executing };
  const done = new Map<string, Promise<Outcome>>();
  for (const def of stages) {
    const producers = Object.values(def.inputs).flatMap((ref) => refChain(ref).map((r) => done.get(r.stage)));
    const outcome = Promise.all(producers).then(() => attemptStage(def, loop));
    done.set(def.name, outcome);
  }
  return Promise.all(stages.map((s) => done.get(s.name)!));
}
