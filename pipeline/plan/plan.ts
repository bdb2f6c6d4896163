/**
 * The planner: for one stage, given what its producers gave, what happens to it: `hit` or `remote-hit` (a
 * stored entry serves it), `miss` (it runs), `skip` (with its cause and message) or `pending` (`plan` only:
 * a producer is rebuilt first, so the key is not known yet). The decision is a value; `run`
 * (pipeline/execute/runner.ts) and `plan` make it with the same function, so `plan --json` says what `run` then
 * does.
 */
import { explainChange } from './explain.js';
import type { Decision } from '../log/events.js';
import type { Exec } from '../execute/exec.js';
import { fingerprint, type Fingerprint } from './fingerprint.js';
import type { AnyStage } from './graph.js';
import { gather, type GatherOptions, type Gathered, type Produced } from './key-inputs.js';
import { peek, type Hit } from '../store/lookup.js';
import { probeMemo } from './probe-memo.js';
import type { Cause } from '../cause.js';
import type { RemoteCache } from '../store/remote-cache.js';
import type { Store, StoredOutput } from '../store/store.js';
import { ToolProbes } from './tools.js';
import { unreachable } from '../unreachable.js';

/** Why a stage with a key runs. */
export type MissWhy = 'miss' | 'force' | 'never-cached' | 'first-result';

/** How each miss reads: in `plan`'s table (nothing for a plain miss) and on the run's `running` line. */
export const MISS: Readonly<Record<MissWhy, { plan?: string; run: string }>> = {
  miss: { run: 'miss' },
  force: { plan: '--force', run: '--force' },
  'never-cached': { plan: 'never cached', run: 'never cached (a measurement)' },
  'first-result': {
    plan: 'no earlier result for this config and these inputs',
    run: 'no earlier result for this config and these inputs, so it runs once',
  },
};

/** A stage whose key is known: the key, and what it was made of. */
export interface Keyed extends Gathered {
  /** The key, and the key data it hashes. */
  fingerprint: Fingerprint;
}

/** What every step names. */
interface StageStep {
  /** The stage's name in the registry. */
  stage: string;
}

/** A producer is rebuilt first (`plan` only): the stage's key is not known yet. */
export interface PendingStep extends StageStep {
  decision: 'pending';
}

/** The stage does not run: left out by the planner, or declined under its key earlier. */
export interface SkipStep extends StageStep {
  decision: 'skip';
  /** Why, as a value. */
  cause: Cause;
  /** Why, in one sentence. */
  message: string;
  /** The stage counts as failed (a required tool missing), not as skipped. */
  failed: boolean;
  /** The key a stored decline is under. */
  key?: string;
}

/** A stored entry serves the stage, from this store (`hit`) or the remote one (`remote-hit`). */
export interface HitStep extends Keyed, StageStep {
  /** Which store held the entry. */
  decision: 'hit' | 'remote-hit';
  /** The entry's outputs, by label. */
  outputs: Record<string, StoredOutput>;
  /** A measurement's newest result, taken by a command that only reads it. */
  reused: boolean;
  /** When a reused result was stored (ms since the epoch): the user is told how old it is. */
  madeAt?: number;
}

/** The stage runs. */
export interface MissStep extends Keyed, StageStep {
  decision: 'miss';
  /** Why there is no hit (a plain miss, `--force`, a never-cached measurement…). */
  why: MissWhy;
  /** What changed since the stage's newest entry, one line each (`--explain` prints it). */
  explain: string[];
}

/** The planner's answer for one stage; `run` and `plan` act on the same one. */
export type Step = PendingStep | SkipStep | HitStep | MissStep;

/** What deciding a stage needs beside the stage: the store, the code digests and the command's options. */
export interface PlanEnv extends GatherOptions {
  /** The local store: its entries, and each stage's newest key data (for `--explain`). */
  store: Store;
  /** Stage name → code digest (pipeline/plan/code-identity.ts). */
  code?: Readonly<Record<string, string>>;
  /** `--force`: every stage with a key misses. */
  force?: boolean;
  /** `cache: 'never'` stages whose newest stored result serves a command that does not ask for them. */
  reuse?: ReadonlySet<string>;
  /** How an entry is looked up: `run` repairs and fetches (lookup.ts `lookup`), `plan` only reads (`peek`). */
  find(def: AnyStage, key: string, localOnly: boolean): Promise<Hit | undefined>;
}

/** The step a stored entry makes of a key, if one does; also `run`'s second look, after waiting on a lock. */
export async function cachedStep(
  def: AnyStage,
  keyed: Keyed,
  env: PlanEnv,
  localOnly: boolean,
): Promise<Exclude<Step, { decision: 'miss' | 'pending' }> | undefined> {
  const key = keyed.fingerprint.key;
  const hit = await env.find(def, key, localOnly);
  if (!hit) return undefined;
  if (hit.declined !== undefined) {
    return { stage: def.name, decision: 'skip', cause: 'declined', message: hit.declined, failed: false, key };
  }
  const decision = hit.from === 'remote' ? 'remote-hit' : 'hit';
  // A never-cached stage is served from the store only as a reused result.
  const reused = def.cache === 'never';
  return { ...keyed, stage: def.name, decision, outputs: hit.outputs, reused, madeAt: reused ? hit.madeAt : undefined };
}

export async function decide(
  def: AnyStage,
  root: Readonly<Record<string, unknown>>,
  producers: (stage: string) => Produced,
  env: PlanEnv,
): Promise<Step> {
  const stage = def.name;
  const got = await gather(def, root, producers, env);
  if (!got.ok) {
    if (got.error.kind === 'pending') return { stage, decision: 'pending' };
    const { cause, message, failed } = got.error;
    return { stage, decision: 'skip', cause, message, failed };
  }
  const { config, tools, inputs } = got.value;
  const code = env.code?.[stage];
  const keyed: Keyed = { ...got.value, fingerprint: fingerprint({ stage: def, code, config, inputs, tools }) };
  const cacheable = def.cache !== 'never';
  const reused = !cacheable && (env.reuse?.has(stage) ?? false);
  if ((cacheable || reused) && !env.force) {
    const hit = await cachedStep(def, keyed, env, reused);
    if (hit) return hit;
  }
  const why: MissWhy =
    reused && !env.force ? 'first-result' : !cacheable ? 'never-cached' : env.force ? 'force' : 'miss';
  const explain = explainChange(await env.store.readLast(stage), keyed.fingerprint.data);
  return { ...keyed, stage, decision: 'miss', why, explain };
}

/** A stage's line in `plan --json`: field names are what users read, so the message is `reason`. */
export interface PlanOutcome {
  /** The stage's name in the registry. */
  stage: string;
  /** What `run` would do with it. */
  status: Exclude<Decision, 'skip'> | 'skipped';
  /** Its key, where it is known (not for a pending stage or one skipped before its key). */
  key?: string;
  /** Why it is skipped, pending or missed, as a sentence. */
  reason?: string;
  /** Why it is skipped, as a value. */
  cause?: Cause;
  /** A miss's `--explain` lines: what changed since its newest entry. */
  explain?: string[];
  /** The key's inputs: label → content hash (null for a skipped optional input). */
  inputs?: Record<string, string | null>;
  /** A hit's stored outputs; empty otherwise. */
  outputs: Record<string, StoredOutput>;
}

/** What a consumer sees, in `plan`, of a producer's step. */
function fromStep(step: Step | undefined, stage: string): Produced {
  if (!step) throw new Error(`Internal error: ${stage} was planned after its consumer`);
  switch (step.decision) {
    case 'pending':
    case 'miss':
      return { state: 'pending' };
    case 'hit':
    case 'remote-hit':
      return { state: 'ready', outputs: step.outputs };
    case 'skip':
      return { state: 'absent', failed: step.failed, cause: step.cause, message: step.message };
    default:
      return unreachable(step);
  }
}

function planOutcome(step: Step): PlanOutcome {
  const stage = step.stage;
  switch (step.decision) {
    case 'pending':
      return { stage, status: 'pending', reason: 'an input is rebuilt first', outputs: {} };
    case 'skip': {
      const { message, cause, key } = step;
      return { stage, status: 'skipped', key, reason: message, cause, outputs: {} };
    }
    case 'hit':
    case 'remote-hit': {
      const { key, data } = step.fingerprint;
      return { stage, status: step.decision, key, inputs: data.inputs, outputs: step.outputs };
    }
    case 'miss': {
      const { key, data } = step.fingerprint;
      const reason = MISS[step.why].plan;
      return {
        stage,
        status: 'miss',
        key,
        reason: reason || undefined,
        explain: step.explain,
        inputs: data.inputs,
        outputs: {},
      };
    }
    default:
      return unreachable(step);
  }
}

/** What `plan` (and `cache push`/`pull`, which plan first) is given. */
export interface PlanOptions extends Omit<GatherOptions, 'probes'> {
  /** The local store, read only. */
  store: Store;
  /** How tool probes run their commands. */
  exec: Exec;
  /** `--force`: every stage with a key would run. */
  force?: boolean;
  /** Stage name → code digest (pipeline/plan/code-identity.ts). */
  code?: Readonly<Record<string, string>>;
  /** A remote cache to look keys up in when the local store has none. */
  remote?: RemoteCache;
  /** `cache pull`: fetch every remote hit into the local store. */
  pull?: boolean;
  /** Where a store problem met while looking (a corrupt entry) is said. */
  warn?: (stage: string, message: string) => void;
}

/** What `run` would do, without running any stage: keys where they are known, hit or miss, and why. */
export async function planStages(
  stages: readonly AnyStage[],
  root: Readonly<Record<string, unknown>>,
  opts: PlanOptions,
): Promise<PlanOutcome[]> {
  const probes = new ToolProbes(opts.exec, probeMemo(opts.store.probesPath));
  const steps = new Map<string, Step>();
  for (const def of stages) {
    const warn = (m: string) => opts.warn?.(def.name, m);
    const find = (d: AnyStage, key: string, localOnly: boolean) => peek({ ...opts, warn }, d, key, localOnly);
    steps.set(def.name, await decide(def, root, (s) => fromStep(steps.get(s), s), { ...opts, probes, find }));
  }
  return stages.map((s) => planOutcome(steps.get(s.name)!));
}
