/**
 * Runs (or plans) a selection of stages: waits for producers, probes tools, derives the key, reuses a verified
 * entry or runs the stage in a private tmp directory and commits its outputs to the store. Independent stages
 * run concurrently, bounded by `concurrency`.
 */
import { mkdirSync } from 'node:fs';
import { link, copyFile, mkdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { badCompanionName, inputHash } from './companions.js';
import type { Exec } from './exec.js';
import { explainChange, keyOf, toolsHash, type KeyData } from './fingerprint.js';
import { refChain, type AnyStage } from './graph.js';
import { hashFile } from './hash-file.js';
import type { Logger } from './log.js';
import { ProgressBoard } from './progress.js';
import type { InputRef, StageContext, StageFailure, ToolFound } from './stage.js';
import { Store, type Entry, type StoredOutput } from './store.js';
import { ToolProbes } from './tools.js';
import { environmentMessage, UserError } from './failure.js';
import { shortReason, userPaths } from './user-paths.js';

export type Status = 'built' | 'cached' | 'skipped' | 'failed';
/** What `plan` predicts: `hit`, `miss`, or `pending` when an upstream miss leaves the key unknown. */
export type PlanStatus = 'hit' | 'miss' | 'pending' | 'skipped';

export interface Outcome {
  stage: string;
  status: Status;
  key?: string;
  reason?: string;
  ms: number;
  outputs: Record<string, StoredOutput>;
  /** Why the key differs from the stage's previous build (on a miss). */
  explain?: string[];
  failure?: StageFailure;
  /** Skipped because something upstream failed: its consumers do not fall back past it. */
  blocked?: boolean;
  /** Skipped because it does not apply to this config (`when`): listed, but not counted or announced. */
  inapplicable?: boolean;
}

export interface PlanOutcome {
  stage: string;
  status: PlanStatus;
  key?: string;
  reason?: string;
  explain?: string[];
  outputs: Record<string, StoredOutput>;
}

export interface RunOptions {
  store: Store;
  log: Logger;
  exec: Exec;
  force?: boolean;
  /** Log, on every miss, which inputs of the key changed since the stage's previous build. */
  explain?: boolean;
  /** Tool names whose absence is an error, not a skip. */
  require?: readonly string[];
  /** Stages left out by the caller (e.g. `--precision`): name → reason. */
  excluded?: ReadonlyMap<string, string>;
  options?: Readonly<Record<string, unknown>>;
  /**
   * `cache: 'never'` stages the command did not ask for (the benchmark under `report`): their newest stored
   * result for the same key is used instead of measuring again; without one they run.
   */
  reuse?: ReadonlySet<string>;
  concurrency?: number;
  signal?: AbortSignal;
  /** The artifact folder as the user named it: messages show a stage's inputs and outputs under its `latest/`. */
  shownAs?: string;
}

/**
 * Bounds how many stages run their `run` at once; hits and skips do not take a slot. A measurement
 * (`cache: 'never'`) takes every slot: a stage running beside it would share its cores and skew its figures.
 */
class Slots {
  private free: number;
  private readonly waiting: Array<{ n: number; go: () => void }> = [];
  constructor(private readonly size: number) {
    this.free = size;
  }
  async take(exclusive = false): Promise<() => void> {
    const n = exclusive ? this.size : 1;
    if (this.waiting.length === 0 && this.free >= n) this.free -= n;
    else await new Promise<void>((go) => this.waiting.push({ n, go }));
    return () => {
      this.free += n;
      // First come, first served: a waiting measurement is not overtaken by later small stages.
      while (this.waiting.length > 0 && this.free >= this.waiting[0]!.n) {
        const next = this.waiting.shift()!;
        this.free -= next.n;
        next.go();
      }
    };
  }
}

type Prepared =
  | { kind: 'skip'; reason: string; failed?: boolean; key?: string; blocked?: boolean; inapplicable?: boolean }
  | { kind: 'ready'; config: unknown; data: KeyData; key: string; tools: Record<string, ToolFound>; inputs: Record<string, PreparedInput | undefined> };

/** An artifact (placed from the store under `file`), or a user file handed over where it lies (`path`). */
type PreparedInput = { sha: string; file: string; path?: string; stored?: StoredOutput };

type Producers = ReadonlyMap<string, { status: string; outputs: Record<string, StoredOutput>; key?: string; blocked?: boolean }>;

/** The output an input reads: its producer's, else, while producers are skipped, the first fallback's. */
function resolveRef(ref: InputRef, producers: Producers): StoredOutput | 'pending' | { missing: InputRef; status: string } {
  for (const r of refChain(ref)) {
    const p = producers.get(r.stage);
    if (!p) throw new Error(`Internal error: a stage ran before its producer ${r.stage}`);
    if (p.status === 'pending' || p.status === 'miss') return 'pending';
    const o = p.outputs[r.output];
    if (o) return o;
    if (p.status !== 'skipped' || p.blocked) return { missing: r, status: p.blocked ? 'blocked' : p.status };
  }
  return { missing: ref, status: 'skipped' };
}

/** Hashes the user files a stage names, by content. */
async function userFiles(def: AnyStage, root: Readonly<Record<string, unknown>>): Promise<Record<string, PreparedInput> | string> {
  const files = def.files ? await def.files(root) : { ok: true as const, value: {} };
  if (!files.ok) return files.error;
  const out: Record<string, PreparedInput> = {};
  for (const [label, path] of Object.entries(files.value)) {
    try {
      out[label] = { sha: await hashFile(path), file: basename(path), path };
    } catch (e) {
      return `${path}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`;
    }
  }
  return out;
}

/** Shared by run and plan: inputs, tools, config slice and key of one stage, given its producers' outcomes. */
async function prepare(
  def: AnyStage,
  root: Readonly<Record<string, unknown>>,
  producers: Producers,
  probes: ToolProbes,
  opts: Pick<RunOptions, 'require' | 'excluded'>,
): Promise<Prepared | { kind: 'pending' }> {
  const excluded = opts.excluded?.get(def.name);
  if (excluded) return { kind: 'skip', reason: excluded };
  const notApplicable = def.when?.(root);
  if (notApplicable) return { kind: 'skip', reason: notApplicable, inapplicable: true };
  const inputs: Record<string, PreparedInput | undefined> = {};
  let pending = false;
  for (const [label, ref] of Object.entries(def.inputs)) {
    const o = resolveRef(ref, producers);
    if (o === 'pending') {
      pending = true;
      continue;
    }
    if ('missing' in o) {
      if (ref.optional) {
        inputs[label] = undefined;
        continue;
      }
      const blocked = o.status === 'failed' || o.status === 'blocked';
      const was = o.status === 'failed' ? 'failed' : o.status === 'blocked' ? 'skipped after a failure upstream' : 'skipped';
      return { kind: 'skip', reason: `needs ${o.missing.stage}, which was ${was}`, ...(blocked ? { blocked } : {}) };
    }
    inputs[label] = { sha: inputHash(o), file: o.file, stored: o };
  }
  const files = await userFiles(def, root);
  if (typeof files === 'string') return { kind: 'skip', failed: true, reason: `${def.name}: ${files}` };
  Object.assign(inputs, files);
  let config: unknown;
  try {
    config = def.config(root);
  } catch (e) {
    return { kind: 'skip', failed: true, reason: `internal error in stage ${def.name} reading its config: ${(e as Error).message}` };
  }
  const tools: Record<string, ToolFound> = {};
  for (const spec of def.tools ?? []) {
    let found;
    try {
      found = await probes.probe(spec, config);
    } catch (e) {
      return { kind: 'skip', failed: true, reason: `internal error in the ${spec.name} probe of stage ${def.name}: ${(e as Error).message}` };
    }
    if (!found.ok) {
      const required = opts.require?.includes(spec.name) ?? false;
      return { kind: 'skip', failed: required, reason: `${spec.name} ${required ? 'is required (--require) but unavailable' : 'unavailable'}: ${found.error.reason}` };
    }
    tools[spec.name] = found.value;
  }
  if (pending) return { kind: 'pending' };
  const data: KeyData = {
    stage: def.name,
    version: def.version,
    config: config ?? null,
    inputs: Object.fromEntries(Object.entries(inputs).map(([l, i]) => [l, i?.sha ?? null])),
    tools: Object.fromEntries(Object.entries(tools).map(([n, t]) => [n, t.fingerprint])),
  };
  return { kind: 'ready', config, data, key: keyOf(data), tools, inputs };
}

/** A reusable entry for `key`, or why there is none; a corrupted entry is reported and evicted. */
async function lookup(store: Store, log: Logger, stage: string, key: string): Promise<Entry | undefined> {
  const entry = await store.readEntry(stage, key);
  if (entry === undefined) return undefined;
  if (entry === 'corrupt') {
    log.warn({ stage }, `cache entry ${key.slice(0, 12)} is unreadable: evicted, rebuilding`);
    await store.evict(stage, key);
    return undefined;
  }
  const check = await store.check(entry, false);
  if (!check.ok) {
    log.warn({ stage }, `${check.problem}: evicted, rebuilding`);
    await store.evict(stage, key, entry);
    return undefined;
  }
  return entry;
}

/** Hands an input to a stage under its real file name (some tools care about extensions), companions beside it. */
async function placeInput(store: Store, o: StoredOutput, target: string): Promise<void> {
  for (const [name, c] of [['', o] as const, ...Object.entries(o.companions ?? {})]) {
    const path = name ? join(dirname(target), name) : target;
    await mkdir(dirname(path), { recursive: true });
    await link(store.objectPath(c.sha256), path).catch(() => copyFile(store.objectPath(c.sha256), path));
  }
}

export async function runStages(stages: readonly AnyStage[], root: Readonly<Record<string, unknown>>, opts: RunOptions): Promise<Outcome[]> {
  const { store, log } = opts;
  const probes = new ToolProbes(opts.exec);
  const slots = new Slots(opts.concurrency ?? 2);
  const done = new Map<string, Promise<Outcome>>();
  const results = new Map<string, Outcome>();
  const signal = opts.signal ?? new AbortController().signal;
  const board = new ProgressBoard(log);

  const runOne = async (def: AnyStage): Promise<Outcome> => {
    await Promise.all(Object.values(def.inputs).flatMap(refChain).map((ref) => done.get(ref.stage)));
    const started = performance.now();
    const prep = await prepare(def, root, results, probes, opts);
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    if (prep.kind === 'pending') throw new Error(`Internal error: ${def.name} has an unfinished producer`);
    if (prep.kind === 'skip') {
      const status: Status = prep.failed ? 'failed' : 'skipped';
      const say = prep.failed ? log.error.bind(log) : prep.inapplicable ? log.debug.bind(log) : log.info.bind(log);
      say({ stage: def.name, status, reason: prep.reason }, shortReason(prep.reason));
      const flags = { ...(prep.blocked ? { blocked: true } : {}), ...(prep.inapplicable ? { inapplicable: true } : {}) };
      return { stage: def.name, status, reason: prep.reason, ms: elapsed(), outputs: {}, ...flags };
    }
    const { key, data } = prep;
    const reuse = def.cache === 'never' && (opts.reuse?.has(def.name) ?? false);
    if ((def.cache !== 'never' || reuse) && !opts.force) {
      const entry = await lookup(store, log, def.name, key);
      if (entry?.declined !== undefined) {
        log.info({ stage: def.name, status: 'skipped' }, `${entry.declined} (hit ${key.slice(0, 12)})`);
        return { stage: def.name, status: 'skipped', key, reason: entry.declined, ms: elapsed(), outputs: {} };
      }
      if (entry) {
        const ms = elapsed();
        const said = reuse ? `reusing the newest result ${key.slice(0, 12)} (not measured again; its own command re-measures)` : `hit ${key.slice(0, 12)}`;
        log.info({ stage: def.name, status: 'cached', ms }, said);
        return { stage: def.name, status: 'cached', key, ms, outputs: entry.outputs };
      }
    }
    const explain = explainChange(await store.readLast(def.name), data);
    const why = reuse && !opts.force ? 'no earlier result for this config and these inputs, so it runs once'
      : def.cache === 'never' ? 'never cached (a measurement)' : opts.force ? '--force' : 'miss';
    log.info({ stage: def.name, status: 'running', ...(opts.explain ? { explain } : {}) }, `${why} ${key.slice(0, 12)}`);

    const release = await slots.take(def.cache === 'never');
    let show = (text: string) => text;
    let dir = '';
    try {
      dir = await store.tmpDir();
      show = userPaths(dir, prep.inputs, def.outputs, opts.shownAs ?? store.root);
      const inputs: Record<string, string | undefined> = {};
      for (const [label, input] of Object.entries(prep.inputs)) {
        if (!input || input.path) {
          inputs[label] = input?.path;
          continue;
        }
        const path = join(dir, 'inputs', label, input.file);
        await placeInput(store, input.stored!, path);
        inputs[label] = path;
      }
      await mkdir(join(dir, 'out'), { recursive: true });
      await mkdir(join(dir, 'work'), { recursive: true });
      const th = toolsHash(data.tools);
      const companions: Record<string, Set<string>> = {};
      const ctx: StageContext<unknown> = {
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
            throw new Error(`Internal error: stage ${def.name}: companion ${JSON.stringify(name)} of output ${label} ${bad ?? 'is not allowed'}`);
          }
          (companions[label] ??= new Set()).add(name);
          mkdirSync(dirname(join(dir, 'out', name)), { recursive: true });
          return join(dir, 'out', name);
        },
        persistent: (name) => store.persistentPath(def.name, th, name),
        workDir: join(dir, 'work'),
        tools: prep.tools,
        exec: opts.exec,
        log: {
          info: (message, fields) => log.info({ stage: def.name, ...fields }, message),
          warn: (message, fields) => log.warn({ stage: def.name, ...fields }, message),
          progress: (doneN, total, what, timing) => board.update(def.name, { done: doneN, total, ...(what ? { what } : {}), ...timing }),
        },
        signal,
        options: opts.options ?? {},
      };
      await mkdir(join(store.persistentPath(def.name, th, 'x'), '..'), { recursive: true });
      let result;
      board.start(def.name);
      try {
        result = await def.run(ctx);
      } catch (e) {
        board.end(def.name);
        if (!(e instanceof UserError) && !environmentMessage(e)) {
          const message = `internal error in stage ${def.name}: ${(e as Error)?.message ?? String(e)}`;
          log.error({ stage: def.name, status: 'failed', ms: elapsed() }, message);
          return { stage: def.name, status: 'failed', key, reason: message, ms: elapsed(), outputs: {}, explain };
        }
        throw e;
      }
      board.end(def.name);
      if (result.ok && result.value) {
        // A decline is as much a function of the key as an output: stored, so the next run does not redo it.
        const declined = show(result.value.declined);
        const details = result.value.details?.map(show);
        const ms = elapsed();
        await store.writeEntry({ key, data, outputs: {}, ms, declined });
        await store.writeLast(data);
        log.warn({ stage: def.name, status: 'skipped', ms, ...(details ? { details } : {}) }, declined);
        return { stage: def.name, status: 'skipped', key, reason: declined, ms, outputs: {}, explain };
      }
      if (!result.ok) {
        const ms = elapsed();
        const details = result.error.details?.map(show);
        const failure = { ...result.error, message: show(result.error.message), ...(details ? { details } : {}) };
        log.error({ stage: def.name, status: 'failed', ms, ...(details ? { details } : {}) }, failure.message);
        return { stage: def.name, status: 'failed', key, reason: failure.message, ms, outputs: {}, failure, explain };
      }
      const outputs: Record<string, StoredOutput> = {};
      for (const [label, file] of Object.entries(def.outputs)) {
        const path = join(dir, 'out', file);
        const s = await stat(path).catch(() => undefined);
        if (!s?.isFile()) {
          const message = `internal error in stage ${def.name}: it succeeded without writing output ${label} (${file})`;
          log.error({ stage: def.name, status: 'failed' }, message);
          return { stage: def.name, status: 'failed', key, reason: message, ms: elapsed(), outputs: {}, explain };
        }
        outputs[label] = await store.putFile(path, file);
        for (const name of companions[label] ?? []) {
          (outputs[label]!.companions ??= {})[name] = await store.putFile(join(dir, 'out', name), name);
        }
      }
      const ms = elapsed();
      await store.writeEntry({ key, data, outputs, ms });
      await store.writeLast(data);
      log.info({ stage: def.name, status: 'built', ms }, `stored ${key.slice(0, 12)}`);
      return { stage: def.name, status: 'built', key, ms, outputs, explain };
    } catch (e) {
      // The user's (a stage's typed failure) or the machine's (a full disk): a failed stage, not a crash.
      const message = e instanceof UserError ? show(e.message) : environmentMessage(e, show);
      if (message === undefined) throw e;
      log.error({ stage: def.name, status: 'failed', ms: elapsed() }, `${def.name}: ${message}`);
      const input = e instanceof UserError && e.exitCode === 2;
      const failure = { message: `${def.name}: ${message}`, ...(input ? { input } : {}) };
      return { stage: def.name, status: 'failed', key, reason: failure.message, ms: elapsed(), outputs: {}, failure, explain };
    } finally {
      release();
      if (dir) await rm(dir, { recursive: true, force: true });
    }
  };

  for (const def of stages) {
    const p = runOne(def).then((o) => {
      results.set(def.name, o);
      return o;
    });
    done.set(def.name, p);
  }
  return Promise.all(stages.map((s) => done.get(s.name)!));
}

/** What `run` would do, without running any stage: keys where they are known, hit or miss, and why. */
export async function planStages(stages: readonly AnyStage[], root: Readonly<Record<string, unknown>>, opts: Pick<RunOptions, 'store' | 'exec' | 'force' | 'require' | 'excluded'>): Promise<PlanOutcome[]> {
  const probes = new ToolProbes(opts.exec);
  const results = new Map<string, PlanOutcome>();
  for (const def of stages) {
    const prep = await prepare(def, root, results, probes, opts);
    let o: PlanOutcome;
    if (prep.kind === 'pending') o = { stage: def.name, status: 'pending', reason: 'an input is rebuilt first', outputs: {} };
    else if (prep.kind === 'skip') o = { stage: def.name, status: 'skipped', reason: prep.reason, outputs: {} };
    else {
      const entry = def.cache === 'never' || opts.force ? undefined : await opts.store.readEntry(def.name, prep.key);
      const usable = entry && entry !== 'corrupt' && (await opts.store.check(entry, false)).ok ? entry : undefined;
      o = usable?.declined !== undefined
        ? { stage: def.name, status: 'skipped', key: prep.key, reason: usable.declined, outputs: {} }
        : usable
        ? { stage: def.name, status: 'hit', key: prep.key, outputs: usable.outputs }
        : {
            stage: def.name,
            status: 'miss',
            key: prep.key,
            ...(def.cache === 'never' ? { reason: 'never cached' } : opts.force ? { reason: '--force' } : {}),
            explain: explainChange(await opts.store.readLast(def.name), prep.data),
            outputs: {},
          };
    }
    results.set(def.name, o);
  }
  return stages.map((s) => results.get(s.name)!);
}
