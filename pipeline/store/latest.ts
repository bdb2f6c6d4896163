/**
 * `artifacts/latest/`: the newest outputs under readable names and `manifest.json` (SPEC.md's run summary).
 * Each run fills a fresh `artifacts/views/<config>-<run>/` with hard links to store objects and then swaps two
 * symlinks to it, each with one rename, so a reader (or a second run) never sees a half-written view:
 * `latest-<config>` (the config's own, named by its file and the user's model) and `latest` (the newest run of
 * any config). A second config never takes over the first's `latest-<config>`. It stays whole: a stage this run
 * did not select (a run of `engines` has no report) keeps the outputs of the config's previous view, as long as
 * that view was made from the same config and its objects are still stored.
 */
import { lstat, mkdir, readFile, readlink, rename, symlink, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isSha256 } from './entry.js';
import { pruneViews } from './gc.js';
import { UserError } from '../failure.js';
import type { Event } from '../log/events.js';
import type { Outcome } from '../execute/outcome.js';
import { escapeName, isCorrupt, type Store, type StoredOutput } from './store.js';

/** One stage in manifest.json: field names are what users and their scripts read. */
interface StageRecord {
  /** Its key, when it got one. */
  key?: string;
  /** How it ended. */
  status: Outcome['status'];
  /** Why it did not build, as a sentence (the Outcome's `message`; SPEC.md names the field `reason`). */
  reason?: string;
  /** Why it did not build, as a value (pipeline/cause.ts). */
  cause?: Outcome['cause'];
  /** How long it took, to 0.1 ms. */
  ms: number;
  /** Each output's place in the view and its content hash, by label. */
  outputs: Record<
    string,
    {
      /** Relative to the view (and so to `latest/`). */
      path: string;
      /** Its content hash. */
      sha256: string;
    }
  >;
  /** What was said of the stage in this run, in order (pipeline/log/events.ts; progress aside). */
  events?: RecordedEvent[];
  /** Not part of this run: carried over from the earlier run that built or found it. */
  earlier?: true;
}

/** A view's manifest.json: what the run (and earlier ones, for stages it did not select) made, stage by stage. */
export interface Manifest {
  /** The config's path, as given. */
  config: string;
  /** Hash of the loaded config (after `--set` and defaults): what `earlier` stages must share with this run. */
  config_sha256?: string;
  /** The signal that stopped this run, when one did. */
  interrupted?: string;
  /** Each stage's record, by name. */
  stages: Record<string, StageRecord>;
}

/** An event as manifest.json records it: a stage's end keeps the field name `reason` users read there. */
type RecordedEvent = Event | (Omit<Event & { message: string }, 'message'> & { reason: string });

const ENDS: ReadonlySet<Event['kind']> = new Set(['declined', 'skipped', 'failed', 'interrupted']);

function recorded(e: Event): RecordedEvent {
  if (!ENDS.has(e.kind) || !('message' in e)) return e;
  const { message, ...rest } = e;
  return { ...rest, reason: message };
}

const VIEW_GRACE_MS = 10 * 60 * 1000;

/**
 * `latest` is replaced only when it is the symlink into `views/` that this tool made: a real folder there (an
 * artifact restored from CI, say) or a link elsewhere is the user's, so the run stops before it starts.
 */
export async function checkLatest(store: Store, shownRoot: string, name?: string): Promise<void> {
  if (name !== undefined) await checkLink(store, shownRoot, `latest-${name}`);
  await checkLink(store, shownRoot, 'latest');
}

/** The name of a config's own `latest-<name>` and views: its file's name, and the user's model when one is named. */
export function viewName(configPath: string, model?: string): string {
  const base = basename(configPath).replace(/\.ya?ml$/i, '');
  return `${base}${model !== undefined ? `+${model}` : ''}`.replace(/[^A-Za-z0-9._+-]/g, '_').slice(0, 100);
}

async function checkLink(store: Store, shownRoot: string, link: string): Promise<void> {
  const latest = join(store.root, link);
  const s = await lstat(latest).catch(() => undefined);
  if (!s) return;
  const target = s.isSymbolicLink() ? await readlink(latest) : undefined;
  if (target !== undefined && /^views[\\/][^\\/]+$/.test(target)) return;
  const what = target === undefined ? (s.isDirectory() ? 'a folder' : 'a file') : `a link to ${target}`;
  const todo = 'move it away (or pass another --artifacts) and run again';
  throw new UserError(`${join(shownRoot, link)} is ${what}, not the link this tool makes; ${todo}`);
}

interface Row {
  stage: string;
  rec: Omit<StageRecord, 'outputs'>;
  outputs: Record<string, StoredOutput>;
}

/**
 * The previous manifest's stages that this run did not select, when made from the same config: their outputs
 * come from their store entries (validated and checked like a hit), never from paths in the manifest.
 */
async function carriedOver(store: Store, link: string, configSha: string, outcomes: readonly Outcome[]) {
  let previous: Manifest;
  try {
    previous = JSON.parse(await readFile(join(store.root, link, 'manifest.json'), 'utf8')) as Manifest;
  } catch {
    return [];
  }
  const isObject = (v: unknown): v is object => typeof v === 'object' && v !== null;
  if (previous.config_sha256 !== configSha || !isObject(previous.stages)) return [];
  const ran = new Set(outcomes.map((o) => o.stage));
  const out: Row[] = [];
  for (const [stage, rec] of Object.entries(previous.stages)) {
    if (ran.has(stage) || !isObject(rec) || !isSha256(rec.key)) continue;
    const entry = await store.readEntry(stage, rec.key);
    if (!entry || isCorrupt(entry) || Object.keys(entry.outputs).length === 0 || !(await store.check(entry, false)).ok)
      continue;
    const { outputs: _o, ...kept } = rec;
    out.push({ stage, rec: { ...kept, earlier: true }, outputs: entry.outputs });
  }
  return out;
}

export async function writeLatest(
  store: Store,
  configPath: string,
  outcomes: readonly Outcome[],
  opts: { configSha: string; interrupted?: string; name?: string },
): Promise<Manifest> {
  const name = opts.name ?? viewName(configPath);
  const id = `${name}-${Date.now().toString(36)}-${process.pid}`;
  const view = join(store.root, 'views', id);
  await mkdir(view, { recursive: true });
  const rows = [...outcomes.map(rowOf), ...(await carriedOver(store, `latest-${name}`, opts.configSha, outcomes))];
  const { stages, linked } = await placeOutputs(store, view, rows);
  const manifest: Manifest = {
    config: configPath,
    config_sha256: opts.configSha,
    interrupted: opts.interrupted,
    stages,
  };
  await writeFile(join(view, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);

  await checkLatest(store, store.root, name);
  for (const link of [`latest-${name}`, 'latest']) {
    const tmpLink = join(store.root, `.${link}-${id}`);
    await symlink(join('views', id), tmpLink);
    await rename(tmpLink, join(store.root, link));
  }

  // Linking moved each object's ctime. Every one was verified by this run (a hit, a build, or a carried-over
  // stage's check above); without fresh stamps the next run would hash them all again.
  await store.restamp(linked);
  // Old views go once no reader is likely to hold them; those a `latest` link names always stay.
  await pruneViews(store.root, VIEW_GRACE_MS);
  return manifest;
}

/** A stage of this run as manifest.json records it. */
const rowOf = (o: Outcome): Row => ({
  stage: o.stage,
  rec: {
    key: o.key,
    status: o.status,
    reason: o.message || undefined,
    cause: o.cause,
    ms: Math.round(o.ms * 10) / 10,
    events: o.events.map(recorded),
  },
  outputs: o.outputs,
});

/** Each row's outputs linked into the view: the stage records, and every path linked (to restamp). */
async function placeOutputs(store: Store, view: string, rows: readonly Row[]) {
  const linked: string[] = [];
  const owners = new Map<string, number>();
  for (const r of rows) for (const o of Object.values(r.outputs)) owners.set(o.file, (owners.get(o.file) ?? 0) + 1);
  const stages: Record<string, StageRecord> = {};
  for (const r of rows) {
    const outputs: StageRecord['outputs'] = {};
    for (const [label, out] of Object.entries(r.outputs)) {
      // Two stages with one file name each get a folder rather than overwrite each other.
      const rel = (owners.get(out.file) ?? 0) > 1 ? join(escapeName(r.stage), out.file) : out.file;
      linked.push(...(await store.place(out, join(view, rel))));
      outputs[label] = { path: rel, sha256: out.sha256 };
    }
    stages[r.stage] = { ...r.rec, outputs };
  }
  return { stages, linked };
}
