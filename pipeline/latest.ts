/**
 * `artifacts/latest/`: the newest outputs under readable names and `manifest.json` (SPEC.md's run summary).
 * Each run fills a fresh `artifacts/views/<run>/` with hard links to store objects and then swaps the
 * `latest` symlink to it with one rename, so a reader (or a second run) never sees a half-written view.
 */
import { copyFile, link, lstat, mkdir, readdir, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from './failure.js';
import type { Outcome } from './runner.js';
import { escapeName, type Store } from './store.js';

export interface Manifest {
  config: string;
  stages: Record<string, {
    key?: string;
    status: Outcome['status'];
    reason?: string;
    ms: number;
    outputs: Record<string, { path: string; sha256: string }>;
  }>;
}

const VIEW_GRACE_MS = 10 * 60 * 1000;

/**
 * `latest` is replaced only when it is the symlink into `views/` that this tool made: a real folder there (an
 * artifact restored from CI, say) or a link elsewhere is the user's, so the run stops before it starts.
 */
export async function checkLatest(store: Store, shownRoot: string): Promise<void> {
  const latest = join(store.root, 'latest');
  const s = await lstat(latest).catch(() => undefined);
  if (!s) return;
  const target = s.isSymbolicLink() ? await readlink(latest) : undefined;
  if (target !== undefined && /^views[\\/][^\\/]+$/.test(target)) return;
  const what = target === undefined ? (s.isDirectory() ? 'a folder' : 'a file') : `a link to ${target}`;
  const todo = 'move it away (or pass another --artifacts) and run again';
  throw new UserError(`${join(shownRoot, 'latest')} is ${what}, not the link this tool makes; ${todo}`);
}

export async function writeLatest(store: Store, configPath: string, outcomes: readonly Outcome[]): Promise<Manifest> {
  const views = join(store.root, 'views');
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const view = join(views, id);
  await mkdir(view, { recursive: true });

  const owners = new Map<string, number>();
  for (const o of outcomes) for (const out of Object.values(o.outputs)) owners.set(out.file, (owners.get(out.file) ?? 0) + 1);

  const manifest: Manifest = { config: configPath, stages: {} };
  for (const o of outcomes) {
    const outputs: Manifest['stages'][string]['outputs'] = {};
    for (const [label, out] of Object.entries(o.outputs)) {
      // Two stages with one file name each get a folder rather than overwrite each other.
      const rel = (owners.get(out.file) ?? 0) > 1 ? join(escapeName(o.stage), out.file) : out.file;
      const target = join(view, rel);
      await mkdir(join(target, '..'), { recursive: true });
      await link(store.objectPath(out.sha256), target).catch(() => copyFile(store.objectPath(out.sha256), target));
      for (const [name, c] of Object.entries(out.companions ?? {})) {
        const beside = join(target, '..', name);
        await mkdir(join(beside, '..'), { recursive: true });
        await link(store.objectPath(c.sha256), beside).catch(() => copyFile(store.objectPath(c.sha256), beside));
      }
      outputs[label] = { path: rel, sha256: out.sha256 };
    }
    manifest.stages[o.stage] = {
      ...(o.key ? { key: o.key } : {}),
      status: o.status,
      ...(o.reason ? { reason: o.reason } : {}),
      ms: Math.round(o.ms * 10) / 10,
      outputs,
    };
  }
  await writeFile(join(view, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const latest = join(store.root, 'latest');
  await checkLatest(store, store.root);
  const tmpLink = join(store.root, `.latest-${id}`);
  await symlink(join('views', id), tmpLink);
  await rename(tmpLink, latest);

  // Old views go once no reader is likely to hold them; the one `latest` names now always stays.
  const current = await readlink(latest).catch(() => '');
  const now = Date.now();
  for (const d of await readdir(views).catch(() => [] as string[])) {
    if (d === id || current.endsWith(d)) continue;
    const s = await stat(join(views, d)).catch(() => undefined);
    if (s && now - s.mtimeMs > VIEW_GRACE_MS) await rm(join(views, d), { recursive: true, force: true });
  }
  return manifest;
}
