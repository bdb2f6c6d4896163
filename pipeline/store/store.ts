/**
 * The content-addressed artifact store under `<root>/store/`:
 *   objects/<sha[0:2]>/<sha>            immutable blobs, read-only
 *   entries/<stage>/<key>.json          one finished build: outputs label → object, and the key's data
 *   entries/<stage>/last.json           the key data of the stage's newest build, for `--explain`
 *   persistent/<stage>/<tools hash>/    files a stage keeps across keys (e.g. a TensorRT timing cache)
 *   tmp/<pid>-<random>/                 in-flight work; on the same filesystem, so results are renamed in
 *   probes.json                         tool probes' answers with what they depend on (pipeline/plan/probe-memo.ts)
 * Every write is temp + rename, so a reader sees a whole file or none, two runs at once never see each other's
 * halves, and a run killed mid-stage leaves only a tmp directory that no entry points at.
 */
import { randomBytes } from 'node:crypto';
import { chmod, copyFile, link, lstat, mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseEntry, isSha256, type Entry, type EntryOutput } from './entry.js';
import type { KeyData } from '../plan/fingerprint.js';
import { hashFile } from './hash-file.js';
import { readOnly, rethrow, sameStamp, stampOf, type Stamp } from './stamp.js';

export type { Entry } from './entry.js';
/** An output as the store holds it: an object by content hash, under the file name its stage declared. */
export type StoredOutput = EntryOutput;

/** An output and its companions, each with the label a message names it by. */
export const withCompanions = (label: string, o: StoredOutput): Array<[string, StoredOutput]> => [
  [label, o],
  ...Object.entries(o.companions ?? {}).map(([n, c]) => [`${label} companion ${n}`, c] as [string, StoredOutput]),
];
/** An entry file that failed validation, and why. */
export interface Corrupt {
  /** What is wrong with it (not JSON, a key that does not hash…), for the warning that evicts it. */
  corrupt: string;
}

/** Stage names contain ':'; path components get a reversible, portable escape. */
export const escapeName = (name: string): string =>
  name.replace(/[^A-Za-z0-9._-]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
/** escapeName undone: a stage's name from its folder's. */
export const unescapeName = (name: string): string =>
  name.replace(/%([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));

/** The path's stats, not following a link; undefined when there is nothing there. */
export const exists = async (path: string) =>
  lstat(path).then(
    (s) => s,
    () => undefined,
  );

/** Whether an entry's objects still hold their bytes; if not, the first that does not, and how. */
export type Check =
  | { ok: true }
  | {
      ok: false;
      /** `output model (model.onnx) is corrupted: …`, for the warning that evicts the entry. */
      problem: string;
    };

/** One store, under `<root>/store/`; the run's views and `latest` links sit beside it under `<root>`. */
export class Store {
  /** `<root>/store`. */
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = join(root, 'store');
  }

  /** The only way from a sha256 to a path, so no path is ever made from an unchecked string. */
  objectPath(sha: string): string {
    if (!isSha256(sha)) throw new Error(`Internal error: ${JSON.stringify(sha).slice(0, 80)} is not a sha256`);
    return join(this.dir, 'objects', sha.slice(0, 2), sha);
  }
  private stampPath(sha: string): string {
    return join(this.dir, 'stamps', sha.slice(0, 2), `${sha}.json`);
  }
  private entryDir(stage: string): string {
    return join(this.dir, 'entries', escapeName(stage));
  }
  private entryPath(stage: string, key: string): string {
    if (!isSha256(key)) throw new Error(`Internal error: ${JSON.stringify(key).slice(0, 80)} is not a key`);
    return join(this.entryDir(stage), `${key}.json`);
  }
  /** The entry's file, for uploading it as it is. */
  entryFile(stage: string, key: string): string {
    return this.entryPath(stage, key);
  }
  /**
   * Puts an output at `target` and its companions beside it, hard-linked (copied across filesystems): how a
   * stage's inputs and a run's view get their files. Returns the objects placed.
   */
  async place(o: StoredOutput, target: string): Promise<string[]> {
    const placed: string[] = [];
    for (const [name, c] of [['', o] as const, ...Object.entries(o.companions ?? {})]) {
      const path = name ? join(dirname(target), name) : target;
      await mkdir(dirname(path), { recursive: true });
      await link(this.objectPath(c.sha256), path).catch(() => copyFile(this.objectPath(c.sha256), path));
      placed.push(c.sha256);
    }
    return placed;
  }

  get probesPath(): string {
    return join(this.dir, 'probes.json');
  }
  lockPath(stage: string, key: string): string {
    return join(this.dir, 'locks', escapeName(stage), `${key}.lock`);
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

  /**
   * Moves a finished file into the store (the file must be on the store's filesystem); returns its record.
   * `sha` is the hash already computed while the bytes arrived (a download), else the file is hashed here.
   */
  async putFile(path: string, file: string, sha?: string): Promise<StoredOutput> {
    const hash = sha ?? (await hashFile(path));
    const target = this.objectPath(hash);
    const present = await exists(target);
    // Another run may have stored the same bytes already; keep that object unless it no longer holds them.
    if (present?.isFile() && (await hashFile(target)) === hash) {
      await unlink(path);
    } else {
      await mkdir(join(target, '..'), { recursive: true });
      await chmod(path, 0o444);
      await rename(path, target);
    }
    const s = await stat(target);
    await this.writeStamp(hash, s);
    return { file, sha256: hash, size: s.size };
  }

  async readEntry(
    stage: string,
    key: string,
    declared?: Readonly<Record<string, string>>,
  ): Promise<Entry | undefined | Corrupt> {
    let text: string;
    try {
      text = await readFile(this.entryPath(stage, key), 'utf8');
    } catch {
      return undefined;
    }
    const parsed = parseEntry(text, key, stage, declared);
    return parsed.ok ? parsed.value : { corrupt: parsed.error };
  }

  async writeEntry(entry: Entry): Promise<void> {
    await this.writeAtomic(this.entryPath(entry.data.stage, entry.key), JSON.stringify(entry));
  }

  /** The key data of the stage's newest build, for `--explain`; anything malformed reads as none. */
  async readLast(stage: string): Promise<KeyData | undefined> {
    try {
      const v = JSON.parse(await readFile(join(this.entryDir(stage), 'last.json'), 'utf8')) as KeyData;
      const rec = (x: unknown) => typeof x === 'object' && x !== null && !Array.isArray(x);
      return rec(v) && v.stage === stage && rec(v.inputs) && rec(v.tools) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async writeLast(data: KeyData): Promise<void> {
    await this.writeAtomic(join(this.entryDir(data.stage), 'last.json'), JSON.stringify(data));
  }

  private async readStamp(sha: string): Promise<Stamp | undefined> {
    try {
      const v = JSON.parse(await readFile(this.stampPath(sha), 'utf8')) as Stamp;
      return typeof v.size === 'number' && typeof v.ino === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  private async writeStamp(sha: string, s: Stats): Promise<void> {
    await this.writeAtomic(this.stampPath(sha), JSON.stringify(stampOf(s)));
  }

  /** Stamps a check or a view could not refresh on a store read-only to this process; the command says so once. */
  unstamped = 0;

  /** A fresh stamp is a saving, not a result: a read-only store skips it and counts it. */
  private refreshStamp = (sha: string, s: Stats): Promise<void> =>
    this.writeStamp(sha, s).catch((e: unknown) => void (readOnly(e) ? this.unstamped++ : rethrow(e)));

  /** Fresh stamps of objects just verified or stored: linking them into a view moved their ctime. */
  async restamp(shas: Iterable<string>): Promise<void> {
    await Promise.all(
      [...new Set(shas)].map(async (sha) => {
        const s = await exists(this.objectPath(sha));
        const old = await this.readStamp(sha);
        if (s?.isFile() && !(old && sameStamp(old, stampOf(s)))) await this.refreshStamp(sha, s);
      }),
    );
  }

  /**
   * Whether an entry's objects still hold their bytes. `deep` re-hashes every object; otherwise an object whose
   * stamp (size, mtime, ctime, inode) matches the one taken when it was last verified is trusted, and any other
   * costs a hash (and, when the bytes are sound, a fresh stamp).
   */
  async check(entry: Entry, deep: boolean): Promise<Check> {
    for (const [label, o] of Object.entries(entry.outputs).flatMap(([l, x]) => withCompanions(l, x))) {
      const path = this.objectPath(o.sha256);
      const s = await exists(path);
      if (!s) return { ok: false, problem: `output ${label} (${o.file}) is missing from the store` };
      if (!s.isFile()) return { ok: false, problem: `output ${label} (${o.file}) is not a regular file in the store` };
      const what = `output ${label} (${o.file})`;
      if (s.size !== o.size) return { ok: false, problem: `${what} has ${s.size} bytes, ${o.size} were stored` };
      const stamp = deep ? undefined : await this.readStamp(o.sha256);
      if (stamp && sameStamp(stamp, stampOf(s))) continue;
      const sha = await hashFile(path);
      if (sha !== o.sha256) {
        return {
          ok: false,
          problem: `${what} is corrupted: sha256 ${sha.slice(0, 12)}…, stored as ${o.sha256.slice(0, 12)}…`,
        };
      }
      await this.refreshStamp(o.sha256, s);
    }
    return { ok: true };
  }

  /** Removes an entry and those of its objects that failed the check, so the stage is rebuilt. */
  async evict(stage: string, key: string, entry?: Entry): Promise<void> {
    await rm(this.entryPath(stage, key), { force: true });
    for (const [, o] of Object.entries(entry?.outputs ?? {}).flatMap(([l, x]) => withCompanions(l, x))) {
      const path = this.objectPath(o.sha256);
      const s = await exists(path);
      if (s && (!s.isFile() || s.size !== o.size || (await hashFile(path)) !== o.sha256)) {
        await rm(path, { force: true });
        await rm(this.stampPath(o.sha256), { force: true });
      }
    }
  }

  persistentPath(stage: string, toolsHash: string, name: string): string {
    return join(this.dir, 'persistent', escapeName(stage), toolsHash, name);
  }

  async removeEntry(stage: string, key: string): Promise<void> {
    await rm(this.entryPath(stage, key), { force: true });
  }

  async removeObject(sha: string): Promise<void> {
    await rm(this.objectPath(sha), { force: true });
    await rm(this.stampPath(sha), { force: true });
  }
}

export const isCorrupt = (e: Entry | Corrupt): e is Corrupt => 'corrupt' in e;
