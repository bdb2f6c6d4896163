/**
 * `cache gc`: keeps each stage's newest entry and every entry `latest` names, the objects they reference, the
 * view `latest` points to, and anything a running build may still need; removes the rest and says so.
 */
import { lstat, readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isCorrupt, withCompanions, type Store } from './store.js';

export interface GcReport {
  entries: number;
  keptEntries: number;
  objects: number;
  bytes: number;
  /** Unreferenced objects left because they are younger than the grace period. */
  youngObjects: number;
  tmp: number;
  views: number;
  keptView?: string;
  graceMs: number;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const age = async (path: string) => {
  const s = await lstat(path).catch(() => undefined);
  return s ? Date.now() - s.mtimeMs : undefined;
};

async function pruneObjects(store: Store, kept: ReadonlySet<string>, graceMs: number, r: GcReport): Promise<void> {
  for (const [sha, path] of await store.objects()) {
    if (kept.has(sha)) continue;
    const s = await lstat(path).catch(() => undefined);
    if (!s) continue;
    // A running build stores its objects before it writes the entry that references them.
    if (Date.now() - s.mtimeMs < graceMs) {
      r.youngObjects++;
      continue;
    }
    await store.removeObject(sha);
    r.objects++;
    r.bytes += s.size;
  }
}

async function pruneTmp(store: Store, r: GcReport): Promise<void> {
  const tmpRoot = join(store.dir, 'tmp');
  for (const d of await readdir(tmpRoot).catch(() => [] as string[])) {
    const pid = Number(d.split('-')[0]);
    if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || isAlive(pid))) continue;
    await rm(join(tmpRoot, d), { recursive: true, force: true });
    r.tmp++;
  }
}

/** Every view but the one `latest` points to, once it is older than `graceMs` (a reader may still be in it). */
export async function pruneViews(root: string, graceMs: number): Promise<{ removed: number; kept?: string }> {
  const views = join(root, 'views');
  const current = (await readlink(join(root, 'latest')).catch(() => '')).split('/').at(-1) ?? '';
  let removed = 0;
  for (const d of await readdir(views).catch(() => [] as string[])) {
    if (d === current) continue;
    const a = await age(join(views, d));
    if (a === undefined || a < graceMs) continue;
    await rm(join(views, d), { recursive: true, force: true });
    removed++;
  }
  return { removed, ...(current ? { kept: current } : {}) };
}

export async function gc(store: Store, keep: ReadonlySet<string>, graceMs = 60 * 60 * 1000): Promise<GcReport> {
  const r: GcReport = { entries: 0, keptEntries: 0, objects: 0, bytes: 0, youngObjects: 0, tmp: 0, views: 0, graceMs };
  const newest = new Set<string>();
  const kept = new Set<string>();
  for (const e of await store.entries()) {
    if (!isCorrupt(e.entry) && (!newest.has(e.stage) || keep.has(e.key))) {
      newest.add(e.stage);
      r.keptEntries++;
      for (const [, o] of Object.entries(e.entry.outputs).flatMap(([l, x]) => withCompanions(l, x))) kept.add(o.sha256);
      continue;
    }
    await store.removeEntry(e.stage, e.key);
    r.entries++;
  }
  await pruneObjects(store, kept, graceMs, r);
  await pruneTmp(store, r);
  const views = await pruneViews(store.root, 0);
  r.views = views.removed;
  if (views.kept) r.keptView = views.kept;
  return r;
}

/** The lines `cache gc` prints: what it removed, what it kept and why. */
export function gcLines(r: GcReport): string[] {
  const hours = r.graceMs / 3_600_000;
  const grace = hours >= 1 ? `${hours} h` : `${Math.round(r.graceMs / 1000)} s`;
  return [
    `removed ${r.entries} entries, ${r.objects} objects (${(r.bytes / 1e6).toFixed(2)} MB), ` +
      `${r.tmp} abandoned tmp dirs, ${r.views} old views`,
    `kept ${r.keptEntries} entries: each stage's newest and every one artifacts/latest names`,
    ...(r.keptView ? [`kept views/${r.keptView}: artifacts/latest points to it`] : []),
    `kept ${r.youngObjects} unreferenced objects younger than ${grace} ` +
      '(a running build may be about to reference them)',
  ];
}
