/** `cache ls|verify|gc|push|pull`: inspect, re-hash, prune and sync the artifact store. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cacheSync } from '../store/cache-sync.js';
import { fail, note } from './messages.js';
import { projectConfig, type Args } from './project.js';
import { UserError } from '../failure.js';
import { gc, gcLines, latestLinks } from '../store/gc.js';
import type { Registry } from '../registry.js';
import { unstampedNote } from '../store/stamp.js';
import { listEntries, type StoreEntry } from '../store/contents.js';
import { isCorrupt, Store } from '../store/store.js';

/** The options `cache` takes, as yargs parses them. */
export interface CacheArgs extends Args {
  /** The run config: which stages exist, and its `cache:` section (the remote cache). */
  config: string;
  /** The store's folder. */
  artifacts: string;
  /** Results as JSON on stdout. */
  json?: boolean;
  /** `--remote-cache`: the remote cache's base URL, over the config's. */
  remoteCache?: string;
}

const print = (text: string): void => void process.stdout.write(text);

function ls(entries: readonly StoreEntry[], json: boolean | undefined): number {
  const rows = entries.map((e) => ({
    stage: e.stage,
    key: e.key,
    ...(isCorrupt(e.entry)
      ? { corrupt: true }
      : {
          bytes: Object.values(e.entry.outputs).reduce((n, o) => n + o.size, 0),
          outputs: Object.fromEntries(Object.entries(e.entry.outputs).map(([l, o]) => [l, o.file])),
        }),
    created: new Date(e.mtimeMs).toISOString(),
  }));
  if (json) print(`${JSON.stringify(rows)}\n`);
  else
    for (const r of rows) {
      const what =
        'corrupt' in r
          ? 'corrupt'
          : `${(r.bytes / 1e6).toFixed(2).padStart(8)} MB  ${Object.values(r.outputs).join(', ')}`;
      print(`${r.stage.padEnd(18)} ${r.key.slice(0, 12)}  ${what}  ${r.created}\n`);
    }
  return 0;
}

async function verify(store: Store, entries: readonly StoreEntry[], json: boolean | undefined): Promise<number> {
  let bad = 0;
  for (const e of entries) {
    const check = isCorrupt(e.entry)
      ? { ok: false as const, problem: `entry malformed (${e.entry.corrupt})` }
      : await store.check(e.entry, true);
    if (!check.ok) {
      bad++;
      await store.evict(e.stage, e.key, isCorrupt(e.entry) ? undefined : e.entry);
      fail(json, `${e.stage} ${e.key.slice(0, 12)}: ${check.problem}; evicted (the next run rebuilds it)`);
    }
  }
  print(
    json
      ? `${JSON.stringify({ entries: entries.length, corrupt: bad })}\n`
      : `${entries.length} entries verified, ${bad} corrupt${bad ? ' (evicted)' : ''}\n`,
  );
  return bad ? 1 : 0;
}

/** Keeps the keys every `latest` link's manifest names (each config's newest run), and what gc keeps itself. */
async function collect(registry: Registry, store: Store, argv: CacheArgs): Promise<number> {
  const keep = new Set<string>();
  for (const link of (await latestLinks(store.root)).keys()) {
    try {
      const manifest = JSON.parse(await readFile(join(store.root, link, 'manifest.json'), 'utf8')) as {
        stages: Record<string, { key?: string }>;
      };
      for (const s of Object.values(manifest.stages)) if (s.key) keep.add(s.key);
    } catch {
      // A view without a readable manifest names nothing.
    }
  }
  const measured = new Set(registry.stages.filter((s) => s.cache === 'never').map((s) => s.name));
  const r = await gc(store, keep, measured);
  print(argv.json ? `${JSON.stringify(r)}\n` : `${gcLines(r).join('\n')}\n`);
  return 0;
}

export async function cacheCommand(registry: Registry, action: string, argv: CacheArgs): Promise<number> {
  const store = new Store(resolve(argv.artifacts));
  if (action === 'push' || action === 'pull') {
    const config = await projectConfig(registry, argv);
    if (!config.ok) throw new UserError(config.error);
    return cacheSync(registry, action, store, config.value, argv);
  }
  const code =
    action === 'ls'
      ? ls(await listEntries(store), argv.json)
      : action === 'verify'
        ? await verify(store, await listEntries(store), argv.json)
        : await collect(registry, store, argv);
  if (store.unstamped > 0) note(argv.json, unstampedNote(store.unstamped));
  return code;
}
