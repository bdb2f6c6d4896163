/**
 * Building one stage: a private tmp directory with its inputs hard-linked in under their real names, the
 * stage's `run`, then the commit (outputs into the store, the entry last) and the upload. An interrupted,
 * failed or throwing stage commits nothing, and its tmp directory is removed whatever happens.
 */
import { mkdirSync } from 'node:fs';
import { copyFile, link, mkdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { badCompanionName } from './companions.js';
import type { Exec } from './exec.js';
import { environmentMessage, UserError } from './failure.js';
import { toolsHash, type KeyData } from './fingerprint.js';
import type { AnyStage } from './graph.js';
import type { Reason } from './reason.js';
import type { ProgressBoard } from './progress.js';
import { pushEntry } from './remote-lookup.js';
import type { Outcome, PreparedInput, RunOptions } from './runner.js';
import { settleOrAbandon } from './signals.js';
import type { Declined, StageContext, StageFailure, ToolFound } from './stage.js';
import type { Entry, Store, StoredOutput } from './store.js';
import { userPaths } from './user-paths.js';

export interface Ready {
  config: unknown;
  data: KeyData;
  key: string;
  tools: Record<string, ToolFound>;
  inputs: Record<string, PreparedInput | undefined>;
}

export interface ExecuteOptions extends RunOptions {
  /** `exclusive`: a measurement takes every slot (runner.ts). */
  slots: { take(exclusive?: boolean): Promise<() => void> };
  board: ProgressBoard;
  signal: AbortSignal;
  elapsed(): number;
}

/** Hands an input to a stage under its real file name (some tools care about extensions), companions beside it. */
async function placeInput(store: Store, o: StoredOutput, target: string): Promise<void> {
  for (const [name, c] of [['', o] as const, ...Object.entries(o.companions ?? {})]) {
    const path = name ? join(dirname(target), name) : target;
    await mkdir(dirname(path), { recursive: true });
    await link(store.objectPath(c.sha256), path).catch(() => copyFile(store.objectPath(c.sha256), path));
  }
}

function context(
  def: AnyStage,
  prep: Ready,
  dir: string,
  inputs: Record<string, string | undefined>,
  o: ExecuteOptions,
  companions: Record<string, Set<string>>,
): StageContext<unknown> {
  const { log, store, signal } = o;
  const th = toolsHash(prep.data.tools);
  // Every child process a stage starts is stopped with the run.
  const exec: Exec = (command, args, options) =>
    o.exec(command, args, { ...options, signal: options?.signal ?? signal });
  return {
    config: prep.config,
    inputs,
    out: (label) => {
      const file = def.outputs[label];
      if (!file) throw new Error(`Internal error: stage ${def.name} wrote output ${label}, which it does not declare`);
      return join(dir, 'out', file);
    },
    companion: (label, name) => {
      const bad = badCompanionName(name);
      if (!(label in def.outputs) || bad || Object.values(def.outputs).includes(name)) {
        throw new Error(
          `Internal error: stage ${def.name}: companion ${JSON.stringify(name)} of output ${label} ${bad ?? 'is not allowed'}`,
        );
      }
      (companions[label] ??= new Set()).add(name);
      mkdirSync(dirname(join(dir, 'out', name)), { recursive: true });
      return join(dir, 'out', name);
    },
    persistent: (name) => store.persistentPath(def.name, th, name),
    workDir: join(dir, 'work'),
    tools: prep.tools,
    exec,
    log: {
      info: (message, fields) => log.info({ stage: def.name, ...fields }, message),
      warn: (message, fields) => log.warn({ stage: def.name, ...fields }, message),
      progress: (doneN, total, what, timing) =>
        o.board.update(def.name, { done: doneN, total, ...(what ? { what } : {}), ...timing }),
    },
    signal,
    options: o.options ?? {},
  };
}

/** A failed outcome, with the stage's (or the machine's) failure when there was one. */
const failed = (
  def: AnyStage,
  key: string,
  cause: Reason,
  reason: string,
  ms: number,
  failure?: StageFailure,
): Outcome => ({
  stage: def.name,
  status: 'failed',
  cause,
  key,
  reason,
  ms,
  outputs: {},
  ...(failure ? { failure } : {}),
});

async function upload(def: AnyStage, entry: Entry, o: ExecuteOptions): Promise<void> {
  if (o.remote && def.cache !== 'never') await pushEntry(o.store, o.remote, entry);
}

/** A decline is as much a function of the key as an output: stored, so the next run does not redo it. */
async function commitDecline(
  def: AnyStage,
  prep: Ready,
  value: Declined,
  o: ExecuteOptions,
  show: (t: string) => string,
): Promise<Outcome> {
  const declined = show(value.declined);
  const details = value.details?.map(show);
  const ms = o.elapsed();
  const entry = { key: prep.key, data: prep.data, outputs: {}, ms, declined };
  await o.store.writeEntry(entry);
  await o.store.writeLast(prep.data);
  o.log.warn({ stage: def.name, status: 'skipped', ms, ...(details ? { details } : {}) }, declined);
  await upload(def, entry, o);
  return { stage: def.name, status: 'skipped', cause: 'declined', key: prep.key, reason: declined, ms, outputs: {} };
}

async function commit(
  def: AnyStage,
  prep: Ready,
  dir: string,
  o: ExecuteOptions,
  companions: Record<string, Set<string>>,
): Promise<Outcome> {
  const { store, log } = o;
  const { key, data } = prep;
  const outputs: Record<string, StoredOutput> = {};
  for (const [label, file] of Object.entries(def.outputs)) {
    const path = join(dir, 'out', file);
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) {
      const message = `internal error in stage ${def.name}: it succeeded without writing output ${label} (${file})`;
      log.error({ stage: def.name, status: 'failed' }, message);
      return failed(def, key, 'output-missing', message, o.elapsed());
    }
    outputs[label] = await store.putFile(path, file);
    for (const name of companions[label] ?? []) {
      (outputs[label]!.companions ??= {})[name] = await store.putFile(join(dir, 'out', name), name);
    }
  }
  const ms = o.elapsed();
  const entry = { key, data, outputs, ms };
  await store.writeEntry(entry);
  await store.writeLast(data);
  log.info({ stage: def.name, status: 'built', ms }, `stored ${key.slice(0, 12)}`);
  await upload(def, entry, o);
  return { stage: def.name, status: 'built', key, ms, outputs };
}

/** Places the inputs: artifacts hard-linked under their real names, user files where they lie. */
async function placeInputs(store: Store, prep: Ready, dir: string): Promise<Record<string, string | undefined>> {
  const inputs: Record<string, string | undefined> = {};
  for (const [label, input] of Object.entries(prep.inputs)) {
    if (!input || input.path) {
      inputs[label] = input?.path;
      continue;
    }
    inputs[label] = join(dir, 'inputs', label, input.file);
    await placeInput(store, input.stored!, inputs[label]!);
  }
  return inputs;
}

/** Runs the stage and commits its outputs; `interrupted` when the run's signal stopped it. */
export async function execute(def: AnyStage, prep: Ready, o: ExecuteOptions): Promise<Outcome> {
  const { store, log, signal } = o;
  const { key } = prep;
  const interrupted = (): Outcome => ({
    stage: def.name,
    status: 'interrupted',
    cause: 'interrupted',
    key,
    ms: o.elapsed(),
    outputs: {},
  });
  const release = await o.slots.take(def.cache === 'never');
  let show = (text: string) => text;
  let dir = '';
  try {
    if (signal.aborted) return interrupted();
    dir = await store.tmpDir();
    show = userPaths(dir, prep.inputs, def.outputs, o.shownAs ?? store.root);
    const inputs = await placeInputs(store, prep, dir);
    const companions: Record<string, Set<string>> = {};
    await mkdir(join(dir, 'out'), { recursive: true });
    await mkdir(join(dir, 'work'), { recursive: true });
    await mkdir(join(store.persistentPath(def.name, toolsHash(prep.data.tools), 'x'), '..'), { recursive: true });
    let settled;
    o.board.start(def.name);
    try {
      settled = await settleOrAbandon(def.run(context(def, prep, dir, inputs, o, companions)), signal);
    } catch (e) {
      o.board.end(def.name);
      if (signal.aborted) return interrupted();
      if (e instanceof UserError || environmentMessage(e)) throw e;
      const message = `internal error in stage ${def.name}: ${(e as Error)?.message ?? String(e)}`;
      log.error({ stage: def.name, status: 'failed', ms: o.elapsed() }, message);
      return failed(def, key, 'unknown-error-thrown', message, o.elapsed());
    }
    o.board.end(def.name);
    // A stage that returns after an abort may have cut its work short (a benchmark without the engines whose
    // child was killed): whatever it returned, it is not stored.
    if (!settled.settled || signal.aborted) return interrupted();
    const result = settled.value;
    if (!result.ok) {
      const details = result.error.details?.map(show);
      // The runner names the stage: a stage's failure says what went wrong, not where.
      const message = `${def.name}: ${show(result.error.message)}`;
      const failure = { ...result.error, message, ...(details ? { details } : {}) };
      log.error({ stage: def.name, status: 'failed', ms: o.elapsed(), ...(details ? { details } : {}) }, message);
      return failed(def, key, failure.reason, message, o.elapsed(), failure);
    }
    if (result.value) return await commitDecline(def, prep, result.value, o, show);
    return await commit(def, prep, dir, o, companions);
  } catch (e) {
    // The user's (a stage's typed failure) or the machine's (a full disk): a failed stage, not a crash.
    const message = e instanceof UserError ? show(e.message) : environmentMessage(e, show);
    if (message === undefined) throw e;
    log.error({ stage: def.name, status: 'failed', ms: o.elapsed() }, `${def.name}: ${message}`);
    const input = e instanceof UserError && e.exitCode === 2;
    const reason = input ? 'bad-input' : 'environment';
    const failure: StageFailure = { reason, message: `${def.name}: ${message}`, ...(input ? { input } : {}) };
    return failed(def, key, reason, failure.message, o.elapsed(), failure);
  } finally {
    release();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}
