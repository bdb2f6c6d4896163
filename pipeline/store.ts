/**
 * The content-addressed artifact store under `<root>/store/`:
 *   objects/<sha[0:2]>/<sha>            immutable blobs, read-only
 *   entries/<stage>/<key>.json          one finished build: outputs label → object, and the key's data
 *   entries/<stage>/last.json           the key data of the stage's newest build, for `--explain`
 *   persistent/<stage>/<tools hash>/    files a stage keeps across keys (e.g. a TensorRT timing cache)
 *   tmp/<pid>-<random>/                 in-flight work; on the same filesystem, so results are renamed in
 * Every write is temp + rename, so a reader sees a whole file or none, two runs at once never see each other's
 * halves, and a run killed mid-stage leaves only a tmp directory that no entry points at.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyData } from './fingerprint.js';
import { hashFile } from './hash-file.js';

export interface StoredOutput {
  /** The file name the stage declared for this output. */
  file: string;
  sha256: string;
  size: number;
  /** The object's mtime when this entry was written: a hit whose stamp still matches skips re-hashing. */
  mtimeMs: number;
  /** Files that travel with this one, by path relative to its folder (pipeline/companions.ts). */
  companions?: Record<string, StoredOutput>;
}

/** An output and its companions, each with the label a message names it by. */
export const withCompanions = (label: string, o: StoredOutput): Array<[string, StoredOutput]> =>
  [[label, o], ...Object.entries(o.companions ?? {}).map(([n, c]) => [`${label} companion ${n}`, c] as [string, StoredOutput])];

export interface Entry {
  key: string;
  data: KeyData;
  outputs: Record<string, StoredOutput>;
  ms: number;
  /** Set when the stage declined (it could not prove an output): the reason, and no outputs. */
  declined?: string;
}

/** Stage names contain ':'; path components get a reversible, portable escape. */
export const escapeName = (name: string): string =>
  name.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
export const unescapeName = (name: string): string => name.replace(/%([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

const exists = async (path: string) => stat(path).then((s) => s, () => undefined);

export type Check = { ok: true } | { ok: false; problem: string };

export class Store {
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = join(root, 'store');
  }

  objectPath(sha: string): string {
    return join(this.dir, 'objects', sha.slice(0, 2), sha);
  }
  private entryDir(stage: string): string {
    return join(this.dir, 'entries', escapeName(stage));
  }
  private entryPath(stage: string, key: string): string {
    return join(this.entryDir(stage), `${key}.json`);
  }

  /** A fresh private directory for one stage's work, on the store's filesystem. */
  async tmpDir(): Promise<string> {
    const dir = join(this.dir, 'tmp', `${process.pid}-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }

  private async writeAtomic(path: string, text: string): Promise<void> {
    const tmp = `${path}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(tmp, text);
    await rename(tmp, path);
  }

  /** Moves a finished file into the store (the file must be on the store's filesystem); returns its record. */
  async putFile(path: string, file: string): Promise<StoredOutput> {
    const sha = await hashFile(path);
    const target = this.objectPath(sha);
    const present = await exists(target);
    // Another run may have stored the same bytes already; keep that object (other entries hold its stamp)
    // unless it no longer holds those bytes.
    if (present && (await hashFile(target)) === sha) {
      await unlink(path);
    } else {
      await mkdir(join(target, '..'), { recursive: true });
      await chmod(path, 0o444);
      await rename(path, target);
    }
    const s = await stat(target);
    return { file, sha256: sha, size: s.size, mtimeMs: s.mtimeMs };
  }

  async readEntry(stage: string, key: string): Promise<Entry | undefined | 'corrupt'> {
    let text: string;
    try {
      text = await readFile(this.entryPath(stage, key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as Entry;
      return entry.key === key && entry.outputs && entry.data ? entry : 'corrupt';
    } catch {
      return 'corrupt';
    }
  }

  async writeEntry(entry: Entry): Promise<void> {
    await this.writeAtomic(this.entryPath(entry.data.stage, entry.key), JSON.stringify(entry));
  }

  async readLast(stage: string): Promise<KeyData | undefined> {
    try {
      return JSON.parse(await readFile(join(this.entryDir(stage), 'last.json'), 'utf8')) as KeyData;
    } catch {
      return undefined;
    }
  }

  async writeLast(data: KeyData): Promise<void> {
    await this.writeAtomic(join(this.entryDir(data.stage), 'last.json'), JSON.stringify(data));
  }

  /**
   * Whether an entry's objects still hold their bytes. `deep` re-hashes every object; otherwise an object whose
   * size and mtime match the stamp taken when it was stored is trusted (any write through the file system moves
   * the mtime), and only a changed stamp costs a hash.
   */
  async check(entry: Entry, deep: boolean): Promise<Check> {
    for (const [label, o] of Object.entries(entry.outputs).flatMap(([l, x]) => withCompanions(l, x))) {
      const path = this.objectPath(o.sha256);
      const s = await exists(path);
      if (!s) return { ok: false, problem: `output ${label} (${o.file}) is missing from the store` };
      if (s.size !== o.size) return { ok: false, problem: `output ${label} (${o.file}) has ${s.size} bytes, ${o.size} were stored` };
      if (deep || s.mtimeMs !== o.mtimeMs) {
        const sha = await hashFile(path);
        if (sha !== o.sha256) return { ok: false, problem: `output ${label} (${o.file}) is corrupted: sha256 ${sha.slice(0, 12)}…, stored as ${o.sha256.slice(0, 12)}…` };
      }
    }
    return { ok: true };
  }

  /** Removes an entry and those of its objects that failed the check, so the stage is rebuilt. */
  async evict(stage: string, key: string, entry?: Entry): Promise<void> {
    await rm(this.entryPath(stage, key), { force: true });
    for (const [, o] of Object.entries(entry?.outputs ?? {}).flatMap(([l, x]) => withCompanions(l, x))) {
      const path = this.objectPath(o.sha256);
      const s = await exists(path);
      if (s && (s.size !== o.size || (await hashFile(path)) !== o.sha256)) await rm(path, { force: true });
    }
  }

  persistentPath(stage: string, toolsHash: string, name: string): string {
    return join(this.dir, 'persistent', escapeName(stage), toolsHash, name);
  }

  /** Every entry in the store, newest first. */
  async entries(): Promise<Array<{ stage: string; entry: Entry | 'corrupt'; key: string; mtimeMs: number }>> {
    const root = join(this.dir, 'entries');
    const out: Array<{ stage: string; entry: Entry | 'corrupt'; key: string; mtimeMs: number }> = [];
    for (const dir of await readdir(root).catch(() => [] as string[])) {
      const stage = unescapeName(dir);
      for (const f of await readdir(join(root, dir)).catch(() => [] as string[])) {
        if (!f.endsWith('.json') || f === 'last.json' || f.endsWith('.tmp')) continue;
        const key = f.slice(0, -'.json'.length);
        const s = await exists(join(root, dir, f));
        const entry = await this.readEntry(stage, key);
        if (entry !== undefined && s) out.push({ stage, entry, key, mtimeMs: s.mtimeMs });
      }
    }
    return out.sort((a, b) => b.mtimeMs - a.mtimeMs);
  }

  /** All objects as sha → path. */
  async objects(): Promise<Map<string, string>> {
    const root = join(this.dir, 'objects');
    const out = new Map<string, string>();
    for (const d of await readdir(root).catch(() => [] as string[])) {
      for (const f of await readdir(join(root, d)).catch(() => [] as string[])) out.set(f, join(root, d, f));
    }
    return out;
  }

  /**
   * Keeps each stage's newest entry (and the ones named in `keep`); removes other entries, unreferenced objects
   * older than `graceMs` (a running build may have stored objects whose entry is not yet written) and the tmp
   * directories of processes that are gone.
   */
  async gc(keep: ReadonlySet<string>, graceMs = 60 * 60 * 1000): Promise<{ entries: number; objects: number; bytes: number; tmp: number }> {
    const all = await this.entries();
    const newest = new Set<string>();
    const kept = new Set<string>();
    let entries = 0;
    for (const e of all) {
      if (e.entry !== 'corrupt' && (!newest.has(e.stage) || keep.has(e.key))) {
        newest.add(e.stage);
        for (const [, o] of Object.entries(e.entry.outputs).flatMap(([l, x]) => withCompanions(l, x))) kept.add(o.sha256);
        continue;
      }
      await rm(this.entryPath(e.stage, e.key), { force: true });
      entries++;
    }
    let objects = 0;
    let bytes = 0;
    const now = Date.now();
    for (const [sha, path] of await this.objects()) {
      if (kept.has(sha)) continue;
      const s = await exists(path);
      if (!s || now - s.mtimeMs < graceMs) continue;
      await rm(path, { force: true });
      objects++;
      bytes += s.size;
    }
    let tmp = 0;
    const tmpRoot = join(this.dir, 'tmp');
    for (const d of await readdir(tmpRoot).catch(() => [] as string[])) {
      const pid = Number(d.split('-')[0]);
      if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) continue;
      if (pid === process.pid) continue;
      await rm(join(tmpRoot, d), { recursive: true, force: true });
      tmp++;
    }
    return { entries, objects, bytes, tmp };
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
