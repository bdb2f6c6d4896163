/**
 * `cache gc`: keeps each stage's newest entry and every entry `latest` names, the objects they reference, the
 * view `latest` points to, and anything a running build may still need; removes the rest and says so.
 */
import { lstat, readdir, readlink, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entry } from './entry.js';
import { canonical } from '../plan/fingerprint.js';
import { listEntries, listObjects, type StoreEntry } from './contents.js';
import { isCorrupt, withCompanions, type Store } from './store.js';

/** What `cache gc` did: what `--json` prints, and what its lines say. */
export interface GcReport {
  /** Entries removed. */
  entries: number;
  /** Entries kept: each stage's newest, those a `latest` link names, measurements' newest per key. */
  keptEntries: number;
  /** Objects (artifact files) removed: no kept entry references them. */
  objects: number;
  /** The bytes those objects held. */
  bytes: number;
  /** Unreferenced objects left because they are younger than the grace period. */
  youngObjects: number;
  /** Temporary folders removed: left by runs whose process is gone. */
  tmp: number;
  /** Views removed: no `latest` link points to them. */
  views: number;
  /** The views kept, with the `latest` links that point to each. */
  keptViews: Record<string, string[]>;
  /** How young an unreferenced object must be to stay (a running build's, before its entry is written). */
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
  for (const [sha, path] of await listObjects(store)) {
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

/** The `latest` links (`latest`, and each config's `latest-<name>`) → the view each points to. */
export async function latestLinks(root: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  for (const d of await readdir(root).catch(() => [] as string[])) {
    if (d !== 'latest' && !d.startsWith('latest-')) continue;
    const target = await readlink(join(root, d)).catch(() => '');
    if (/^views[\\/][^\\/]+$/.test(target)) links.set(d, target.split(/[\\/]/)[1]!);
  }
  return links;
}

/** Every view no `latest` link points to, once it is older than `graceMs` (a reader may still be in it). */
export async function pruneViews(root: string, graceMs: number): Promise<{ removed: number; kept: string[] }> {
  const views = join(root, 'views');
  const current = new Set((await latestLinks(root)).values());
  let removed = 0;
  for (const d of await readdir(views).catch(() => [] as string[])) {
    if (current.has(d)) continue;
    const a = await age(join(views, d));
    if (a === undefined || a < graceMs) continue;
    await rm(join(views, d), { recursive: true, force: true });
    removed++;
  }
  return { removed, kept: [...current] };
}

/**
 * The entries gc keeps (entries come newest first): each stage's newest; every one a `latest` link names; for a
 * measurement stage (`measured`, never cached), the newest of each config it was made with (a `--precision fp16`
 * run does not cost the full one); and the newest result made from each kept measurement (its report).
 */
function keptKeys(entries: readonly StoreEntry[], keep: ReadonlySet<string>, measured: ReadonlySet<string>) {
  const kept = new Set<string>();
  const seen = new Set<string>();
  const first = (group: string) => !seen.has(group) && Boolean(seen.add(group));
  const sound = entries.filter((e): e is StoreEntry & { entry: Entry } => !isCorrupt(e.entry));
  const made = new Set<string>();
  for (const e of sound.filter((x) => measured.has(x.stage))) {
    if (!first(`${e.stage}\0${canonical(e.entry.data.config)}`)) continue;
    kept.add(e.key);
    for (const o of Object.values(e.entry.outputs)) made.add(o.sha256);
  }
  for (const e of sound) {
    const from = Object.values(e.entry.data.inputs).filter((h): h is string => h !== null && made.has(h));
    const firsts = [first(e.stage), ...from.map((h) => first(`${e.stage}\0${h}`))];
    if (keep.has(e.key) || firsts.some(Boolean)) kept.add(e.key);
  }
  return kept;
}

export async function gc(
  store: Store,
  keep: ReadonlySet<string>,
  measured: ReadonlySet<string> = new Set(),
  graceMs = 60 * 60 * 1000,
): Promise<GcReport> {
  const r: GcReport = {
    ...{ entries: 0, keptEntries: 0, objects: 0, bytes: 0, youngObjects: 0, tmp: 0, views: 0 },
    ...{ keptViews: {}, graceMs },
  };
  const entries = await listEntries(store);
  const keys = keptKeys(entries, keep, measured);
  const kept = new Set<string>();
  for (const e of entries) {
    if (keys.has(e.key) && !isCorrupt(e.entry)) {
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
  for (const [link, view] of await latestLinks(store.root)) (r.keptViews[view] ??= []).push(`artifacts/${link}`);
  return r;
}

/** The lines `cache gc` prints: what it removed, what it kept and why. */
export function gcLines(r: GcReport): string[] {
  const hours = r.graceMs / 3_600_000;
  const grace = hours >= 1 ? `${hours} h` : `${Math.round(r.graceMs / 1000)} s`;
  return [
    `removed ${r.entries} entries, ${r.objects} objects (${(r.bytes / 1e6).toFixed(2)} MB), ` +
      `${r.tmp} abandoned tmp dirs, ${r.views} old views`,
    `kept ${r.keptEntries} entries: each stage's newest, every one a latest link names, and the newest ` +
      'measurement of each config with what was made from it',
    ...Object.entries(r.keptViews).map(
      ([view, links]) => `kept views/${view}: ${links.sort().join(', ')} point${links.length > 1 ? '' : 's'} to it`,
    ),
    `kept ${r.youngObjects} unreferenced objects younger than ${grace} ` +
      '(a running build may be about to reference them)',
  ];
}
