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
export type Keyed = Gathered & { fingerprint: Fingerprint };

export type Step =
  | { stage: string; decision: 'pending' }
  /** `failed`: the stage counts as failed (a required tool missing); `key` for a decline stored under it. */
  | { stage: string; decision: 'skip'; cause: Cause; message: string; failed: boolean; key?: string }
  /** `reused`: a measurement's newest result, taken by a command that only reads it. */
  | (Keyed & {
      stage: string;
      decision: 'hit' | 'remote-hit';
      outputs: Record<string, StoredOutput>;
      reused: boolean;
      madeAt?: number;
    })
  | (Keyed & { stage: string; decision: 'miss'; why: MissWhy; explain: string[] });

export interface PlanEnv extends GatherOptions {
  store: Store;
  /** Stage name → code digest (pipeline/plan/code-identity.ts). */
  code?: Readonly<Record<string, string>>;
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
  const made = reused && hit.madeAt !== undefined ? { madeAt: hit.madeAt } : {};
  return { ...keyed, stage: def.name, decision, outputs: hit.outputs, reused, ...made };
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
  stage: string;
  status: Exclude<Decision, 'skip'> | 'skipped';
  key?: string;
  /** Why it is skipped, pending or missed, as a sentence. */
  reason?: string;
  cause?: Cause;
  explain?: string[];
  /** The key's inputs: label → content hash (null for a skipped optional input). */
  inputs?: Record<string, string | null>;
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

export interface PlanOptions extends Omit<GatherOptions, 'probes'> {
  store: Store;
  exec: Exec;
  force?: boolean;
  code?: Readonly<Record<string, string>>;
  remote?: RemoteCache;
  /** `cache pull`: fetch every remote hit into the local store. */
  pull?: boolean;
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
