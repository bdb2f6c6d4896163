/**
 * Building one stage: a private tmp directory with its inputs hard-linked in under their real names, the
 * stage's `run`, then the commit (outputs into the store, the entry last) and the upload. An interrupted,
 * failed or throwing stage commits nothing, and its tmp directory is removed whatever happens.
 */
import { copyFile, link, mkdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Exec } from './exec.js';
import { toolsHash, type KeyData } from './fingerprint.js';
import type { AnyStage } from './graph.js';
import { pushEntry } from './remote-lookup.js';
import type { Outcome, RunOptions } from './runner.js';
import { settleOrAbandon } from './signals.js';
import type { StageContext, ToolFound } from './stage.js';
import type { Store, StoredOutput } from './store.js';

export interface Ready {
  config: unknown;
  data: KeyData;
  key: string;
  tools: Record<string, ToolFound>;
  inputs: Record<string, { sha: string; file: string } | undefined>;
}

export interface ExecuteOptions extends RunOptions {
  slots: { take(): Promise<() => void> };
  signal: AbortSignal;
  elapsed(): number;
}

/** Hands an input to a stage under its real file name (some tools care about extensions). */
async function placeInput(store: Store, sha: string, target: string): Promise<void> {
  await mkdir(join(target, '..'), { recursive: true });
  try {
    await link(store.objectPath(sha), target);
  } catch {
    await copyFile(store.objectPath(sha), target);
  }
}

function context(def: AnyStage, prep: Ready, dir: string, inputs: Record<string, string | undefined>, o: ExecuteOptions): StageContext<unknown> {
  const { log, store, signal } = o;
  const th = toolsHash(prep.data.tools);
  let lastProgress = 0;
  // Every child process a stage starts is stopped with the run.
  const exec: Exec = (command, args, options) => o.exec(command, args, { ...options, signal: options?.signal ?? signal });
  return {
    config: prep.config,
    inputs,
    out: (label) => {
      const file = def.outputs[label];
      if (!file) throw new Error(`Internal error: stage ${def.name} wrote output ${label}, which it does not declare`);
      return join(dir, 'out', file);
    },
    persistent: (name) => store.persistentPath(def.name, th, name),
    workDir: join(dir, 'work'),
    tools: prep.tools,
    exec,
    log: {
      info: (message, fields) => log.info({ stage: def.name, ...fields }, message),
      warn: (message, fields) => log.warn({ stage: def.name, ...fields }, message),
      progress: (doneN, total, what) => {
        const now = performance.now();
        if (doneN < total && now - lastProgress < 1000) return;
        lastProgress = now;
        log.info({ stage: def.name, progress: `${doneN}/${total}` }, what ?? 'progress');
      },
    },
    signal,
    options: o.options ?? {},
  };
}

async function commit(def: AnyStage, prep: Ready, dir: string, o: ExecuteOptions): Promise<Outcome> {
  const { store, log } = o;
  const { key, data } = prep;
  const outputs: Record<string, StoredOutput> = {};
  for (const [label, file] of Object.entries(def.outputs)) {
    const path = join(dir, 'out', file);
    const s = await stat(path).catch(() => undefined);
    if (!s?.isFile()) {
      const message = `internal error in stage ${def.name}: it succeeded without writing output ${label} (${file})`;
      log.error({ stage: def.name, status: 'failed' }, message);
      return { stage: def.name, status: 'failed', key, reason: message, ms: o.elapsed(), outputs: {} };
    }
    outputs[label] = await store.putFile(path, file);
  }
  const ms = o.elapsed();
  const entry = { key, data, outputs, ms };
  await store.writeEntry(entry);
  await store.writeLast(data);
  log.info({ stage: def.name, status: 'built', ms }, `stored ${key.slice(0, 12)}`);
  if (o.remote && def.cache !== 'never') await pushEntry(store, o.remote, entry);
  return { stage: def.name, status: 'built', key, ms, outputs };
}

/** Runs the stage and commits its outputs; `interrupted` when the run's signal stopped it. */
export async function execute(def: AnyStage, prep: Ready, o: ExecuteOptions): Promise<Outcome> {
  const { store, log, signal } = o;
  const { key } = prep;
  const interrupted = (): Outcome => ({ stage: def.name, status: 'interrupted', key, ms: o.elapsed(), outputs: {} });
  const release = await o.slots.take();
  const dir = await store.tmpDir();
  try {
    if (signal.aborted) return interrupted();
    const inputs: Record<string, string | undefined> = {};
    for (const [label, input] of Object.entries(prep.inputs)) {
      if (!input) {
        inputs[label] = undefined;
        continue;
      }
      inputs[label] = join(dir, 'inputs', label, input.file);
      await placeInput(store, input.sha, inputs[label]!);
    }
    await mkdir(join(dir, 'out'), { recursive: true });
    await mkdir(join(dir, 'work'), { recursive: true });
    await mkdir(join(store.persistentPath(def.name, toolsHash(prep.data.tools), 'x'), '..'), { recursive: true });
    let settled;
    try {
      settled = await settleOrAbandon(def.run(context(def, prep, dir, inputs, o)), signal);
    } catch (e) {
      if (signal.aborted) return interrupted();
      const message = `internal error in stage ${def.name}: ${(e as Error)?.message ?? String(e)}`;
      log.error({ stage: def.name, status: 'failed', ms: o.elapsed() }, message);
      return { stage: def.name, status: 'failed', key, reason: message, ms: o.elapsed(), outputs: {} };
    }
    // A stage that returns after an abort may have cut its work short (a benchmark without the engines whose
    // child was killed): whatever it returned, it is not stored.
    if (!settled.settled || signal.aborted) return interrupted();
    const result = settled.value;
    if (!result.ok) {
      const ms = o.elapsed();
      log.error({ stage: def.name, status: 'failed', ms, ...(result.error.details ? { details: result.error.details } : {}) }, result.error.message);
      return { stage: def.name, status: 'failed', key, reason: result.error.message, ms, outputs: {}, failure: result.error };
    }
    return await commit(def, prep, dir, o);
  } finally {
    release();
    await rm(dir, { recursive: true, force: true });
  }
}
