/**
 * Runs (or plans) a selection of stages: waits for producers, probes tools, derives the key, reuses a verified
 * entry or runs the stage in a private tmp directory and commits its outputs to the store. Independent stages
 * run concurrently, bounded by `concurrency`.
 */
import { basename } from 'node:path';
import { inputHash } from './companions.js';
import type { Exec } from './exec.js';
import { execute, type Ready } from './execute.js';
import { explainChange, keyOf, type KeyData } from './fingerprint.js';
import { refChain, type AnyStage } from './graph.js';
import { hashFile } from './hash-file.js';
import { acquire } from './lock.js';
import type { Logger } from './log.js';
import { lookup, lookupLocal } from './lookup.js';
import type { RemoteCache } from './remote-cache.js';
import { peekRemote, pullEntry } from './remote-lookup.js';
import { ProgressBoard } from './progress.js';
import { interruptedBy } from './signals.js';
import type { Reason } from './reason.js';
import type { InputRef, StageFailure, ToolFound } from './stage.js';
import { isCorrupt, Store, type StoredOutput } from './store.js';
import { ToolProbes } from './tools.js';
import { probeMemo } from './probe-memo.js';
import { shortReason } from './user-paths.js';

/** `interrupted`: a signal stopped the run before this stage finished; nothing of it was stored. */
export type Status = 'built' | 'cached' | 'skipped' | 'failed' | 'interrupted';
/**
 * What `plan` predicts: `hit` (local), `remote-hit`, `miss`, or `pending` when an upstream miss leaves the key
 * unknown.
 */
export type PlanStatus = 'hit' | 'remote-hit' | 'miss' | 'pending' | 'skipped';

export interface Outcome {
  stage: string;
  status: Status;
  key?: string;
  reason?: string;
  /** Why it did not build, as a value (pipeline/reason.ts); `reason` is the sentence users read. */
  cause?: Reason;
  ms: number;
  outputs: Record<string, StoredOutput>;
  /** For a cache hit: which cache served it. */
  from?: 'local' | 'remote';
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
  /** Stage name → code digest (pipeline/code-identity.ts); it enters the stage's key. */
  code?: Readonly<Record<string, string>>;
  /** Looked up after the local store; built entries are uploaded to it. */
  remote?: RemoteCache;
  /** Re-hash every object a cache hit serves. */
  verify?: boolean;
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
  | {
      kind: 'skip';
      cause: Reason;
      reason: string;
      failed?: boolean;
      key?: string;
      blocked?: boolean;
      inapplicable?: boolean;
    }
  | ({ kind: 'ready' } & Ready);

/** An artifact (placed from the store under `file`), or a user file handed over where it lies (`path`). */
export type PreparedInput = { sha: string; file: string; path?: string; stored?: StoredOutput };

type Producers = ReadonlyMap<
  string,
  { status: string; outputs: Record<string, StoredOutput>; key?: string; blocked?: boolean }
>;

/** The output an input reads: its producer's, else, while producers are skipped, the first fallback's. */
function resolveRef(
  ref: InputRef,
  producers: Producers,
): StoredOutput | 'pending' | { missing: InputRef; status: string } {
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
async function userFiles(
  def: AnyStage,
  root: Readonly<Record<string, unknown>>,
): Promise<Record<string, PreparedInput> | string> {
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
  opts: Pick<RunOptions, 'require' | 'excluded' | 'code'>,
): Promise<Prepared | { kind: 'pending' }> {
  const excluded = opts.excluded?.get(def.name);
  if (excluded) return { kind: 'skip', cause: 'excluded', reason: excluded };
  const notApplicable = def.when?.(root);
  if (notApplicable) return { kind: 'skip', cause: 'inapplicable', reason: notApplicable, inapplicable: true };
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
      const was =
        o.status === 'failed' ? 'failed' : o.status === 'blocked' ? 'skipped after a failure upstream' : 'skipped';
      return {
        kind: 'skip',
        cause: blocked ? 'upstream-failed' : 'upstream-skipped',
        reason: `needs ${o.missing.stage}, which was ${was}`,
        ...(blocked ? { blocked } : {}),
      };
    }
    inputs[label] = { sha: inputHash(o), file: o.file, stored: o };
  }
  const files = await userFiles(def, root);
  if (typeof files === 'string')
    return { kind: 'skip', cause: 'bad-input', failed: true, reason: `${def.name}: ${files}` };
  Object.assign(inputs, files);
  let config: unknown;
  try {
    config = def.config(root);
  } catch (e) {
    return {
      kind: 'skip',
      cause: 'unknown-error-thrown',
      failed: true,
      reason: `internal error in stage ${def.name} reading its config: ${(e as Error).message}`,
    };
  }
  const tools: Record<string, ToolFound> = {};
  for (const spec of def.tools ?? []) {
    let found;
    try {
      found = await probes.probe(spec, config);
    } catch (e) {
      return {
        kind: 'skip',
        cause: 'unknown-error-thrown',
        failed: true,
        reason: `internal error in the ${spec.name} probe of stage ${def.name}: ${(e as Error).message}`,
      };
    }
    if (!found.ok) {
      const required = opts.require?.includes(spec.name) ?? false;
      return {
        kind: 'skip',
        cause: 'tool-unavailable',
        failed: required,
        reason: `${spec.name} ${required ? 'is required (--require) but unavailable' : 'unavailable'}: ${found.error.reason}`,
      };
    }
    tools[spec.name] = found.value;
  }
  if (pending) return { kind: 'pending' };
  const data: KeyData = {
    stage: def.name,
    version: def.version,
    code: opts.code?.[def.name] ?? null,
    config: config ?? null,
    inputs: Object.fromEntries(Object.entries(inputs).map(([l, i]) => [l, i?.sha ?? null])),
    tools: Object.fromEntries(Object.entries(tools).map(([n, t]) => [n, t.fingerprint])),
  };
  return { kind: 'ready', config, data, key: keyOf(data), tools, inputs };
}

export async function runStages(
  stages: readonly AnyStage[],
  root: Readonly<Record<string, unknown>>,
  opts: RunOptions,
): Promise<Outcome[]> {
  const { store, log } = opts;
  const probes = new ToolProbes(opts.exec, probeMemo(opts.store.probesPath));
  const slots = new Slots(opts.concurrency ?? 2);
  const done = new Map<string, Promise<Outcome>>();
  const results = new Map<string, Outcome>();
  const signal = opts.signal ?? new AbortController().signal;
  const board = new ProgressBoard(log);

  const runOne = async (def: AnyStage): Promise<Outcome> => {
    await Promise.all(
      Object.values(def.inputs)
        .flatMap(refChain)
        .map((ref) => done.get(ref.stage)),
    );
    const started = performance.now();
    const elapsed = () => Math.round((performance.now() - started) * 10) / 10;
    const stopped = (): Outcome => {
      const reason = `interrupted by ${interruptedBy(signal)}`;
      log.warn({ stage: def.name, status: 'interrupted' }, reason);
      return { stage: def.name, status: 'interrupted', cause: 'interrupted', reason, ms: elapsed(), outputs: {} };
    };
    if (signal.aborted) return stopped();
    const prep = await prepare(def, root, results, probes, opts);
    if (prep.kind === 'pending') throw new Error(`Internal error: ${def.name} has an unfinished producer`);
    if (prep.kind === 'skip') {
      const status: Status = prep.failed ? 'failed' : 'skipped';
      const say = prep.failed ? log.error.bind(log) : prep.inapplicable ? log.debug.bind(log) : log.info.bind(log);
      say({ stage: def.name, status, reason: prep.reason }, shortReason(prep.reason));
      const flags = {
        ...(prep.blocked ? { blocked: true } : {}),
        ...(prep.inapplicable ? { inapplicable: true } : {}),
      };
      return { stage: def.name, status, cause: prep.cause, reason: prep.reason, ms: elapsed(), outputs: {}, ...flags };
    }
    const { key } = prep;
    const cacheable = def.cache !== 'never';
    const reuse = !cacheable && (opts.reuse?.has(def.name) ?? false);
    const hit = async (local: boolean): Promise<Outcome | undefined> => {
      const found = local ? await lookupLocal(opts, def, key) : await lookup(opts, def, key);
      if (!found) return undefined;
      if (found.declined !== undefined) {
        log.info({ stage: def.name, status: 'skipped' }, `${found.declined} (hit ${key.slice(0, 12)})`);
        return {
          stage: def.name,
          status: 'skipped',
          cause: 'declined',
          key,
          reason: found.declined,
          ms: elapsed(),
          outputs: {},
        };
      }
      const ms = elapsed();
      const remote = found.from === 'remote';
      const said = reuse ? 'reusing the newest result' : remote ? 'remote hit' : 'hit';
      log.info(
        { stage: def.name, status: 'cached', ms },
        `${said} ${key.slice(0, 12)}${reuse ? ' (its own command measures again)' : ''}`,
      );
      return {
        stage: def.name,
        status: 'cached',
        key,
        ms,
        outputs: found.outputs,
        ...(remote ? { from: 'remote' as const } : {}),
      };
    };
    if ((cacheable || reuse) && !opts.force) {
      const h = await hit(reuse);
      if (h) return h;
    }
    if (signal.aborted) return stopped();
    // One build per key at a time on this store: a second run waits, then takes the first one's entry.
    const unlock = cacheable
      ? await acquire(store.lockPath(def.name, key), signal, (h) =>
          log.info(
            { stage: def.name, status: 'waiting' },
            `waiting for process ${h.pid ?? '?'}${h.host ? ` on ${h.host}` : ''}, which is building ${key.slice(0, 12)}`,
          ),
        )
      : async () => {};
    if (!unlock) return stopped();
    try {
      if (cacheable && !opts.force) {
        const h = await hit(true);
        if (h) return h;
      }
      const explain = explainChange(await store.readLast(def.name), prep.data);
      const why =
        reuse && !opts.force
          ? 'no earlier result for this config and these inputs, so it runs once'
          : def.cache === 'never'
            ? 'never cached (a measurement)'
            : opts.force
              ? '--force'
              : 'miss';
      log.info(
        { stage: def.name, status: 'running', ...(opts.explain ? { explain } : {}) },
        `${why} ${key.slice(0, 12)}`,
      );
      const outcome = await execute(def, prep, { ...opts, slots, board, signal, elapsed });
      return outcome.status === 'interrupted' ? stopped() : { ...outcome, explain };
    } finally {
      await unlock();
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

type PlanOptions = Pick<RunOptions, 'store' | 'exec' | 'force' | 'require' | 'excluded' | 'code' | 'remote'> & {
  /** `cache pull`: fetch every remote hit into the local store. */
  pull?: boolean;
  warn?: (stage: string, message: string) => void;
};

/** A cacheable stage's entry: local (checked), else the remote's (validated; fetched only with `pull`). */
type PlanHit = Pick<PlanOutcome, 'status' | 'outputs' | 'reason'>;
const declinedHit = (reason: string): PlanHit => ({ status: 'skipped', reason, outputs: {} });

async function planHit(def: AnyStage, key: string, opts: PlanOptions): Promise<PlanHit | undefined> {
  const entry = await opts.store.readEntry(def.name, key, def.outputs);
  if (entry && !isCorrupt(entry) && (await opts.store.check(entry, false)).ok) {
    return entry.declined !== undefined ? declinedHit(entry.declined) : { status: 'hit', outputs: entry.outputs };
  }
  if (!opts.remote?.usable) return undefined;
  const warn = (m: string) => opts.warn?.(def.name, m);
  const remote = await peekRemote(opts.remote, def, key, warn);
  if (!remote || (opts.pull && !(await pullEntry(opts.store, opts.remote, def, remote, warn)))) return undefined;
  return remote.declined !== undefined
    ? declinedHit(remote.declined)
    : { status: 'remote-hit', outputs: remote.outputs };
}

/** What `run` would do, without running any stage: keys where they are known, hit or miss, and why. */
export async function planStages(
  stages: readonly AnyStage[],
  root: Readonly<Record<string, unknown>>,
  opts: PlanOptions,
): Promise<PlanOutcome[]> {
  const probes = new ToolProbes(opts.exec, probeMemo(opts.store.probesPath));
  const results = new Map<string, PlanOutcome>();
  for (const def of stages) {
    const prep = await prepare(def, root, results, probes, opts);
    let o: PlanOutcome;
    if (prep.kind === 'pending')
      o = { stage: def.name, status: 'pending', reason: 'an input is rebuilt first', outputs: {} };
    else if (prep.kind === 'skip') o = { stage: def.name, status: 'skipped', reason: prep.reason, outputs: {} };
    else {
      const hit = def.cache === 'never' || opts.force ? undefined : await planHit(def, prep.key, opts);
      o = hit
        ? { stage: def.name, key: prep.key, ...hit }
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
