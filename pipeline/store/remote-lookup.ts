/**
 * Between the store and the remote cache: a remote entry is validated like any untrusted input, each blob is
 * verified (sha256 and size) before it enters the store, and only then is the entry written locally. Anything
 * wrong is reported and the stage is built locally instead.
 */
import { rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { parseEntry, type Entry } from './entry.js';
import type { RemoteCache, Uploaded } from './remote-cache.js';
import { withCompanions, type Store } from './store.js';

/** What looking a stage up remotely needs of its declaration. */
export interface RemoteStage {
  /** The stage's name: an entry must be for it. */
  name: string;
  /** Output label → declared file name: an entry must have exactly these. */
  outputs: Readonly<Record<string, string>>;
}

/** Every blob an entry names: its outputs and their companions. */
const blobsOf = (entry: Entry) => Object.entries(entry.outputs).flatMap(([l, x]) => withCompanions(l, x));

/** The remote's entry for `key`, checked but not yet fetched: what `plan` shows as a remote hit. */
export async function peekRemote(
  remote: RemoteCache,
  def: RemoteStage,
  key: string,
  warn: (m: string) => void,
): Promise<Entry | undefined> {
  const text = await remote.getEntry(key);
  if (text === undefined) return undefined;
  const parsed = parseEntry(text, key, def.name, def.outputs);
  if (!parsed.ok) {
    warn(`remote cache entry ${key.slice(0, 12)} is malformed (${parsed.error}): not used, building locally`);
    return undefined;
  }
  return parsed.value;
}

/** Downloads what the local store lacks of a remote entry, verifies it, and commits the entry locally. */
export async function pullEntry(
  store: Store,
  remote: RemoteCache,
  def: RemoteStage,
  entry: Entry,
  warn: (m: string) => void,
): Promise<boolean> {
  const dir = await store.tmpDir();
  try {
    for (const [label, o] of blobsOf(entry)) {
      const single = { file: o.file, sha256: o.sha256, size: o.size };
      const local = await store.check({ ...entry, outputs: { [label]: single } }, false).catch(() => ({ ok: false }));
      if (local.ok) continue;
      const path = join(dir, o.sha256);
      const got = await remote.download(o.sha256, path);
      if (!got.ok) {
        if (got.missing) {
          warn(
            `remote cache entry ${entry.key.slice(0, 12)} names blob ${o.sha256.slice(0, 12)} (${o.file}), ` +
              'which the server does not have: building locally',
          );
        }
        return false;
      }
      if (got.sha256 !== o.sha256 || got.size !== o.size) {
        warn(
          `remote cache blob ${o.sha256.slice(0, 12)} (${o.file}) is corrupt on the server: it hashes to ` +
            `${got.sha256.slice(0, 12)} (${got.size} bytes, ${o.size} expected); not used, building locally`,
        );
        return false;
      }
      await store.putFile(path, o.file, got.sha256);
    }
    await store.writeEntry(entry);
    await store.writeLast(entry.data);
    return true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Starts the upload of a local entry (blobs, then the entry); `done` settles when it is over. */
export async function pushEntry(store: Store, remote: RemoteCache, entry: Entry): Promise<{ done: Promise<Uploaded> }> {
  const entryFile = store.entryFile(entry.data.stage, entry.key);
  const { size } = await stat(entryFile);
  const blobs = blobsOf(entry).map(([, o]) => ({ sha256: o.sha256, size: o.size, file: store.objectPath(o.sha256) }));
  return { done: remote.upload(entry.key, entryFile, size, blobs) };
}
