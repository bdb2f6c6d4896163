/**
 * `artifacts/latest/`: the newest outputs under readable names and `manifest.json` (SPEC.md's run summary).
 * Each run fills a fresh `artifacts/views/<run>/` with hard links to store objects and then swaps the
 * `latest` symlink to it with one rename, so a reader (or a second run) never sees a half-written view.
 * `latest` stays whole: a stage this run did not select (a run of `engines` has no report) keeps the outputs of
 * the previous view, as long as that view was made from the same config and its objects are still stored.
 */
import { copyFile, link, lstat, mkdir, readFile, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isSha256 } from './entry.js';
import { pruneViews } from './gc.js';
import { UserError } from './failure.js';
import type { Outcome } from './runner.js';
import { escapeName, type Store } from './store.js';

interface StageRecord {
  key?: string;
  status: Outcome['status'];
  reason?: string;
  ms: number;
  outputs: Record<string, { path: string; sha256: string }>;
  /** Not part of this run: carried over from the earlier run that built or found it. */
  earlier?: true;
}

export interface Manifest {
  config: string;
  /** Hash of the loaded config (after `--set` and defaults): what `earlier` stages must share with this run. */
  config_sha256?: string;
  /** The signal that stopped this run, when one did. */
  interrupted?: string;
  stages: Record<string, StageRecord>;
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
  throw new UserError(`${join(shownRoot, 'latest')} is ${what}, not the link this tool makes; move it away (or pass another --artifacts) and run again`);
}

/** The previous manifest's stages that this run did not select, when made from the same config. */
type Carried = [stage: string, record: StageRecord, files: Record<string, string>];

async function carriedOver(store: Store, configSha: string, outcomes: readonly Outcome[]): Promise<Carried[]> {
  let previous: Manifest;
  try {
    previous = JSON.parse(await readFile(join(store.root, 'latest', 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return [];
  }
  const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;
  if (previous.config_sha256 !== configSha || !isObject(previous.stages)) return [];
  const ran = new Set(outcomes.map((o) => o.stage));
  const out: Carried[] = [];
  for (const [stage, rec] of Object.entries(previous.stages)) {
    if (ran.has(stage) || !isObject(rec) || !isObject(rec.outputs)) continue;
    const files: Record<string, string> = {};
    const outputs = Object.entries(rec.outputs);
    if (outputs.length === 0) continue;
    for (const [label, o] of outputs) {
      const name = typeof o?.path === 'string' ? o.path.split('/').at(-1) : undefined;
      if (!isSha256(o?.sha256) || !name) break;
      if (!(await lstat(store.objectPath(o.sha256)).catch(() => undefined))?.isFile()) break;
      files[label] = name;
    }
    if (Object.keys(files).length === outputs.length) out.push([stage, { ...rec, earlier: true }, files]);
  }
  return out;
}

export async function writeLatest(
  store: Store,
  configPath: string,
  outcomes: readonly Outcome[],
  opts: { configSha: string; interrupted?: string },
): Promise<Manifest> {
  const views = join(store.root, 'views');
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const view = join(views, id);
  await mkdir(view, { recursive: true });

  const carried = await carriedOver(store, opts.configSha, outcomes);
  const rows: Array<{ stage: string; rec: Omit<StageRecord, 'outputs'>; outputs: Array<[string, string, string]> }> = [
    ...outcomes.map((o) => ({
      stage: o.stage,
      rec: {
        ...(o.key ? { key: o.key } : {}),
        status: o.status,
        ...(o.reason ? { reason: o.reason } : {}),
        ms: Math.round(o.ms * 10) / 10,
      },
      outputs: Object.entries(o.outputs).map(([l, out]): [string, string, string] => [l, out.file, out.sha256]),
    })),
    ...carried.map(([stage, { outputs, ...rec }, files]) => ({
      stage,
      rec,
      outputs: Object.entries(outputs).map(([l, out]): [string, string, string] => [l, files[l]!, out.sha256]),
    })),
  ];
  const owners = new Map<string, number>();
  for (const r of rows) for (const [, file] of r.outputs) owners.set(file, (owners.get(file) ?? 0) + 1);

  const interrupted = opts.interrupted ? { interrupted: opts.interrupted } : {};
  const manifest: Manifest = { config: configPath, config_sha256: opts.configSha, ...interrupted, stages: {} };
  for (const r of rows) {
    const outputs: StageRecord['outputs'] = {};
    for (const [label, file, sha] of r.outputs) {
      // Two stages with one file name each get a folder rather than overwrite each other.
      const rel = (owners.get(file) ?? 0) > 1 ? join(escapeName(r.stage), file) : file;
      const target = join(view, rel);
      await mkdir(join(target, '..'), { recursive: true });
      await link(store.objectPath(sha), target).catch(() => copyFile(store.objectPath(sha), target));
      outputs[label] = { path: rel, sha256: sha };
    }
    manifest.stages[r.stage] = { ...r.rec, outputs };
  }
  await writeFile(join(view, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  const latest = join(store.root, 'latest');
  await checkLatest(store, store.root);
  const tmpLink = join(store.root, `.latest-${id}`);
  await symlink(join('views', id), tmpLink);
  await rename(tmpLink, latest);

  // Old views go once no reader is likely to hold them; the one `latest` names now always stays.
  await pruneViews(store.root, VIEW_GRACE_MS);
  return manifest;
}

