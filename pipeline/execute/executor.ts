/**
 * Building one stage the planner found missing: a private tmp directory with its inputs hard-linked in under
 * their real names, the stage's `run`, a check that it wrote every declared output, then the commit (outputs
 * into the store, the entry last) and the upload. A failed or interrupted stage commits nothing, and its tmp
 * directory is removed whatever happens; a throw is the run loop's to record (pipeline/execute/runner.ts).
 */
import { mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toolsHash } from '../plan/fingerprint.js';
import type { AnyStage } from '../plan/graph.js';
import { isUserFile } from '../plan/key-inputs.js';
import type { Attempt, Outcome } from './outcome.js';
import type { Step } from '../plan/plan.js';
import type { RemoteCache } from '../store/remote-cache.js';
import { pushEntry } from '../store/remote-lookup.js';
import { settleOrAbandon } from './signals.js';
import type { Slots } from './slots.js';
import { stageContext, type Companions, type ContextOptions } from './stage-context.js';
import type { Declined, StageFailure, UserFiles } from '../stage.js';
import type { Entry, Store, StoredOutput } from '../store/store.js';
import type { Result } from '../result.js';
import { userPaths } from './user-paths.js';

/** A step the planner found missing from the store: what `execute` builds. */
export type Miss = Extract<Step, { decision: 'miss' }>;

/** What building a stage needs beside its step: the run's store, exec, signal and log, and where to upload. */
export interface ExecuteOptions extends ContextOptions {
  /** How many stages may run at once (a measurement takes them all). */
  slots: Slots;
  /** The remote cache a committed entry is pushed to (none for a `cache: 'never'` stage). */
  remote?: RemoteCache;
  /** The artifact folder as the user named it: messages show a stage's inputs and outputs under its `latest/`. */
  shownAs?: string;
}

/** The inputs where the stage reads them: artifacts linked under `inputs/<label>/`, user files where they lie. */
async function materialise(store: Store, step: Miss, dir: string): Promise<UserFiles> {
  const inputs: Record<string, string | undefined> = {};
  for (const [label, input] of Object.entries(step.inputs)) {
    if (input && isUserFile(input)) continue;
    if (!input) {
      inputs[label] = undefined;
      continue;
    }
    inputs[label] = join(dir, 'inputs', label, input.file);
    // Under its real file name: some tools care about extensions.
    await store.place(input, inputs[label]!);
  }
  await mkdir(join(dir, 'out'), { recursive: true });
  await mkdir(join(dir, 'work'), { recursive: true });
  await mkdir(dirname(store.persistentPath(step.stage, toolsHash(step.fingerprint.data.tools), 'x')), {
    recursive: true,
  });
  return { ...inputs, ...step.files };
}

async function upload(def: AnyStage, entry: Entry, o: ExecuteOptions): Promise<void> {
  if (o.remote && def.cache !== 'never') await pushEntry(o.store, o.remote, entry);
}

/** A decline is as much a function of the key as an output: stored, so the next run does not redo it. */
async function commitDecline(def: AnyStage, step: Miss, value: Declined, a: Attempt, o: ExecuteOptions) {
  const { key, data } = step.fingerprint;
  const declined = a.show(value.declined);
  const declinedCause = value.cause === 'declined' ? undefined : value.cause;
  const entry = { key, data, outputs: {}, ms: a.elapsed(), declined, declinedCause };
  await o.store.writeEntry(entry);
  await o.store.writeLast(data);
  const outcome = a.declined(key, declined, false, value.details?.map(a.show), value.cause);
  await upload(def, entry, o);
  return outcome;
}

/** Checks that the stage wrote every output it declares, stores them with their companions, then the entry. */
async function commit(def: AnyStage, step: Miss, dir: string, a: Attempt, o: ExecuteOptions, companions: Companions) {
  const { key, data } = step.fingerprint;
  const outputs: Record<string, StoredOutput> = {};
  for (const [label, file] of Object.entries(def.outputs)) {
    const path = join(dir, 'out', file);
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) {
      const message = `internal error in stage ${def.name}: it succeeded without writing output ${label} (${file})`;
      return a.failed({ cause: 'output-missing', message }, 'run');
    }
    outputs[label] = await o.store.putFile(path, file);
    for (const name of companions[label] ?? []) {
      (outputs[label]!.companions ??= {})[name] = await o.store.putFile(join(dir, 'out', name), name);
    }
  }
  const ms = a.elapsed();
  const entry = { key, data, outputs, ms };
  await o.store.writeEntry(entry);
  await o.store.writeLast(data);
  const outcome = a.built(key, outputs, ms);
  await upload(def, entry, o);
  return outcome;
}

/** The stage's own failure, its message (and details) in the user's terms and naming the stage. */
function stageFailed(def: AnyStage, failure: StageFailure, a: Attempt): Outcome {
  const details = failure.details?.map(a.show);
  const named = { ...failure, message: `${def.name}: ${a.show(failure.message)}`, ...(details ? { details } : {}) };
  return a.failed(named, 'run');
}

type Ran = Result<void | Declined, StageFailure>;

/** The stage's `run`; `undefined` when the run's signal stopped it. */
async function run(def: AnyStage, step: Miss, dir: string, a: Attempt, o: ExecuteOptions, companions: Companions) {
  const inputs = await materialise(o.store, step, dir);
  o.board.start(def.name);
  let settled;
  try {
    settled = await settleOrAbandon<Ran>(def.run(stageContext(def, step, dir, inputs, a, o, companions)), o.signal);
  } finally {
    o.board.end(def.name);
  }
  // A stage that returns after an abort may have cut its work short (a benchmark without the engines whose
  // child was killed): whatever it returned, it is not stored.
  return settled.settled && !o.signal.aborted ? settled.value : undefined;
}

/** Runs the stage and commits its outputs; `undefined` when the run's signal stopped it (nothing stored). */
export async function execute(def: AnyStage, step: Miss, a: Attempt, o: ExecuteOptions): Promise<Outcome | undefined> {
  // A measurement takes every slot: a stage running beside it would share its cores and skew its figures.
  const release = await o.slots.take(def.cache === 'never');
  let dir: string | undefined;
  try {
    if (o.signal.aborted) return undefined;
    dir = await o.store.tmpDir();
    a.show = userPaths(dir, step.inputs, def.outputs, o.shownAs ?? o.store.root);
    const companions: Companions = {};
    const result = await run(def, step, dir, a, o, companions);
    if (!result) return undefined;
    if (!result.ok) return stageFailed(def, result.error, a);
    if (result.value) return await commitDecline(def, step, result.value, a, o);
    return await commit(def, step, dir, a, o, companions);
  } finally {
    release();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
