/**
 * `cache push` uploads every sound local entry the remote cache lacks; `cache pull` fetches, for the config's
 * stages, every key the remote cache has and the local store does not (without running a stage).
 */
import { remoteFrom } from './cache-config.js';
import { loadCodeIdentity } from '../plan/code-identity.js';
import type { RunConfig } from '../config/config.js';
import { exec } from '../execute/exec.js';
import { UserError } from '../failure.js';
import { checkDeclarations, select } from '../plan/graph.js';
import type { Registry } from '../registry.js';
import type { RemoteCache, Uploaded } from './remote-cache.js';
import { pushEntry } from './remote-lookup.js';
import { planStages } from '../plan/plan.js';
import { listEntries } from './contents.js';
import { isCorrupt, type Store } from './store.js';

interface SyncArgs {
  config: string;
  remoteCache?: string;
  json?: boolean;
}

const say = (json: boolean | undefined, fields: Record<string, unknown>, text: string) =>
  process.stdout.write(json ? `${JSON.stringify(fields)}\n` : `${text}\n`);
const warn = (m: string) => process.stderr.write(`warn: ${m}\n`);

async function push(store: Store, remote: RemoteCache, json: boolean | undefined): Promise<number> {
  const counts: Record<Uploaded, number> = { uploaded: 0, present: 0, skipped: 0, failed: 0 };
  const uploads: Array<Promise<Uploaded>> = [];
  for (const e of await listEntries(store)) {
    if (isCorrupt(e.entry) || !(await store.check(e.entry, false)).ok) continue;
    uploads.push((await pushEntry(store, remote, e.entry)).done);
  }
  for (const u of await Promise.all(uploads)) counts[u]++;
  const notSent = counts.failed + counts.skipped;
  say(
    json,
    counts,
    `pushed ${counts.uploaded} entries to ${remote.where}; ${counts.present} were there already` +
      `${notSent ? `; ${notSent} not uploaded` : ''}`,
  );
  return remote.usable && notSent === 0 ? 0 : 1;
}

async function pull(
  registry: Registry,
  store: Store,
  remote: RemoteCache,
  config: RunConfig,
  json: boolean | undefined,
): Promise<number> {
  const declared = checkDeclarations(registry.stages);
  if (!declared.ok) throw new Error(declared.error);
  const selected = select(
    registry.stages,
    registry.stages.map((s) => s.name),
  );
  if (!selected.ok) throw new Error(selected.error);
  const code = registry.code ?? (await loadCodeIdentity());
  const base = { store, exec, code, warn: (s: string, m: string) => warn(`[${s}] ${m}`) };
  const before = await planStages(selected.value, config, { ...base, remote });
  const wanted = before.filter((p) => p.status === 'remote-hit').length;
  await planStages(selected.value, config, { ...base, remote, pull: true });
  const after = await planStages(selected.value, config, base);
  const local = after.filter((p) => p.status === 'hit').length;
  say(
    json,
    { pulled: wanted, local },
    `pulled ${wanted} entries from ${remote.where}; ${local} of ${after.length} stages are now local hits`,
  );
  return remote.usable ? 0 : 1;
}

/** `config` is the loaded run config (its `cache` section names the remote, unless --remote-cache does). */
export async function cacheSync(
  registry: Registry,
  action: 'push' | 'pull',
  store: Store,
  config: RunConfig,
  argv: SyncArgs,
): Promise<number> {
  const remote = remoteFrom(argv.remoteCache, config, argv.config, warn);
  if (!remote.ok) throw new UserError(remote.error);
  if (!remote.value) {
    throw new UserError(`cache ${action} needs a remote cache: --remote-cache URL or cache.remote in ${argv.config}`);
  }
  try {
    if (action === 'push') return await push(store, remote.value, argv.json);
    return await pull(registry, store, remote.value, config, argv.json);
  } finally {
    remote.value.close();
  }
}
