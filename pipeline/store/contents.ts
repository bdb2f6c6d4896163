/**
 * What the store holds, listed for `cache ls`, `cache verify`, `cache push` and `cache gc`: every entry (a corrupt
 * one too, so gc can remove it) and every object. Only files named as the store names them are read.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isSha256 } from './entry.js';
import { exists, unescapeName, type Corrupt, type Entry, type Store } from './store.js';

/** One entry file, as listed. */
export interface StoreEntry {
  /** The stage it belongs to, from its folder's name. */
  stage: string;
  /** The entry, or why it is unreadable. */
  entry: Entry | Corrupt;
  /** Its key, from its file's name. */
  key: string;
  /** When it was written: gc keeps each stage's newest. */
  mtimeMs: number;
}

/** Every entry in the store, newest first; only files named like entries are read. */
export async function listEntries(store: Store): Promise<StoreEntry[]> {
  const root = join(store.dir, 'entries');
  const out: StoreEntry[] = [];
  for (const dir of await readdir(root).catch(() => [] as string[])) {
    const stage = unescapeName(dir);
    for (const f of await readdir(join(root, dir)).catch(() => [] as string[])) {
      const key = f.slice(0, -'.json'.length);
      if (!f.endsWith('.json') || !isSha256(key)) continue;
      const s = await exists(join(root, dir, f));
      const entry = await store.readEntry(stage, key);
      if (entry !== undefined && s) out.push({ stage, entry, key, mtimeMs: s.mtimeMs });
    }
  }
  return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
}

/** All objects as sha → path; a file under objects/ not named by a sha256 is not an object. */
export async function listObjects(store: Store): Promise<Map<string, string>> {
  const root = join(store.dir, 'objects');
  const out = new Map<string, string>();
  for (const d of await readdir(root).catch(() => [] as string[])) {
    for (const f of await readdir(join(root, d)).catch(() => [] as string[])) {
      if (isSha256(f) && f.startsWith(d)) out.set(f, join(root, d, f));
    }
  }
  return out;
}
