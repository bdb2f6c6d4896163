/**
 * Finding a reusable build of a key: the local store first, then the remote cache. Every entry is validated
 * before use. A run repairs as it looks (a malformed or corrupted entry is reported with one warning, evicted,
 * and the stage rebuilt; a remote entry is fetched); `plan` only reads (`peek`).
 */
import { stat } from 'node:fs/promises';
import type { RemoteCache } from './remote-cache.js';
import { peekRemote, pullEntry, type RemoteStage } from './remote-lookup.js';
import { isCorrupt, type Store, type StoredOutput } from './store.js';

/** `declined`: the stage declined for this key (no outputs), which is as much a result as an output. */
export interface Hit {
  /** The entry's outputs, by label (a remote hit's are in the local store once pulled; `plan` only peeks). */
  outputs: Record<string, StoredOutput>;
  /** Which store held the entry. */
  from: 'local' | 'remote';
  /** The stored decline's message. */
  declined?: string;
  /** When the local entry was written (ms since the epoch): which result a reused measurement is. */
  madeAt?: number;
}

/** Where and how a key is looked up. */
export interface LookupOptions {
  /** The local store, looked in first. */
  store: Store;
  /** The remote cache, looked in when the local store has no entry. */
  remote?: RemoteCache;
  /** Re-hash every object a hit serves, whatever its stamp says. */
  verify?: boolean;
  /** Says a problem with an entry (the stage's name is the caller's to add). */
  warn(message: string): void;
}

async function lookupLocal(o: LookupOptions, def: RemoteStage, key: string): Promise<Hit | undefined> {
  const entry = await o.store.readEntry(def.name, key, def.outputs);
  if (entry === undefined) return undefined;
  if (isCorrupt(entry)) {
    o.warn(`cache entry ${key.slice(0, 12)} is malformed (${entry.corrupt}): evicted, rebuilding`);
    await o.store.evict(def.name, key);
    return undefined;
  }
  const check = await o.store.check(entry, o.verify ?? false);
  if (!check.ok) {
    o.warn(`${check.problem}: evicted, rebuilding`);
    await o.store.evict(def.name, key, entry);
    return undefined;
  }
  const madeAt = (await stat(o.store.entryFile(def.name, key)).catch(() => undefined))?.mtimeMs;
  return { outputs: entry.outputs, from: 'local', declined: entry.declined, madeAt };
}

async function lookupRemote(o: LookupOptions, def: RemoteStage, key: string): Promise<Hit | undefined> {
  if (!o.remote?.usable) return undefined;
  const entry = await peekRemote(o.remote, def, key, o.warn);
  if (!entry) return undefined;
  if (!(await pullEntry(o.store, o.remote, def, entry, o.warn))) return undefined;
  return { outputs: entry.outputs, from: 'remote', declined: entry.declined };
}

/** A run's look-up: `localOnly` for a measurement's newest result and for the second look after a lock. */
export async function lookup(
  o: LookupOptions,
  def: RemoteStage,
  key: string,
  localOnly: boolean,
): Promise<Hit | undefined> {
  const local = await lookupLocal(o, def, key);
  return local ?? (localOnly ? undefined : lookupRemote(o, def, key));
}

/**
 * `plan`'s look-up, which changes nothing: a sound local entry, else the remote's (validated; fetched into the
 * store only with `pull`, which is `cache pull`).
 */
export async function peek(
  o: LookupOptions & { pull?: boolean },
  def: RemoteStage,
  key: string,
  localOnly: boolean,
): Promise<Hit | undefined> {
  const entry = await o.store.readEntry(def.name, key, def.outputs);
  if (entry && !isCorrupt(entry) && (await o.store.check(entry, false)).ok) {
    return { outputs: entry.outputs, from: 'local', declined: entry.declined };
  }
  if (localOnly || !o.remote?.usable) return undefined;
  const remote = await peekRemote(o.remote, def, key, o.warn);
  if (!remote || (o.pull && !(await pullEntry(o.store, o.remote, def, remote, o.warn)))) return undefined;
  return { outputs: remote.outputs, from: 'remote', declined: remote.declined };
}
