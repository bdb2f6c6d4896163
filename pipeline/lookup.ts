/**
 * Finding a reusable build of a key: the local store first, then the remote cache. Every entry is validated
 * before use; a malformed or corrupted one is reported with one warning, evicted, and the stage rebuilt.
 */
import type { Logger } from './log.js';
import type { RemoteCache } from './remote-cache.js';
import { peekRemote, pullEntry, type RemoteStage } from './remote-lookup.js';
import { isCorrupt, type Entry, type Store, type StoredOutput } from './store.js';

/** `declined`: the stage declined for this key (no outputs), which is as much a result as an output. */
export interface Hit {
  outputs: Record<string, StoredOutput>;
  from: 'local' | 'remote';
  declined?: string;
}

export interface LookupOptions {
  store: Store;
  log: Logger;
  remote?: RemoteCache;
  /** Re-hash every object a hit serves, whatever its stamp says. */
  verify?: boolean;
}

const declinedOf = (e: Entry) => (e.declined !== undefined ? { declined: e.declined } : {});

export async function lookupLocal(o: LookupOptions, def: RemoteStage, key: string): Promise<Hit | undefined> {
  const entry = await o.store.readEntry(def.name, key, def.outputs);
  if (entry === undefined) return undefined;
  if (isCorrupt(entry)) {
    const message = `cache entry ${key.slice(0, 12)} is malformed (${entry.corrupt}): evicted, rebuilding`;
    o.log.warn({ stage: def.name }, message);
    await o.store.evict(def.name, key);
    return undefined;
  }
  const check = await o.store.check(entry, o.verify ?? false);
  if (!check.ok) {
    o.log.warn({ stage: def.name }, `${check.problem}: evicted, rebuilding`);
    await o.store.evict(def.name, key, entry);
    return undefined;
  }
  return { outputs: entry.outputs, from: 'local', ...declinedOf(entry) };
}

export async function lookupRemote(o: LookupOptions, def: RemoteStage, key: string): Promise<Hit | undefined> {
  if (!o.remote?.usable) return undefined;
  const warn = (m: string) => o.log.warn({ stage: def.name }, m);
  const entry = await peekRemote(o.remote, def, key, warn);
  if (!entry) return undefined;
  if (!(await pullEntry(o.store, o.remote, def, entry, warn))) return undefined;
  return { outputs: entry.outputs, from: 'remote', ...declinedOf(entry) };
}

export async function lookup(o: LookupOptions, def: RemoteStage, key: string): Promise<Hit | undefined> {
  return (await lookupLocal(o, def, key)) ?? lookupRemote(o, def, key);
}
