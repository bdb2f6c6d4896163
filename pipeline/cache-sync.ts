/**
 * `cache push` uploads every sound local entry the remote cache lacks; `cache pull` fetches, for the config's
 * stages, every key the remote cache has and the local store does not (without running a stage).
 */
import { remoteFrom } from './cache-config.js';
import { loadCodeIdentity } from './code-identity.js';
import type { RunConfig } from './config.js';
import { exec } from './exec.js';
import { UserError } from './failure.js';
import { checkDeclarations, select } from './graph.js';
import type { Registry } from './registry.js';
import { pushEntry } from './remote-lookup.js';
import { planStages } from './runner.js';
import { isCorrupt, type Store } from './store.js';

interface SyncArgs { config: string; remoteCache?: string; json?: boolean }

const say = (json: boolean | undefined, fields: Record<string, unknown>, text: string) =>
  process.stdout.write(json ? `${JSON.stringify(fields)}\n` : `${text}\n`);
const warn = (m: string) => process.stderr.write(`warn: ${m}\n`);

/** `config` is the loaded run config (its `cache` section names the remote, unless --remote-cache does). */
export async function cacheSync(registry: Registry, action: 'push' | 'pull', store: Store, config: RunConfig, argv: SyncArgs): Promise<number> {
  const remote = remoteFrom(argv.remoteCache, config, argv.config, warn);
  if (!remote.ok) throw new UserError(remote.error);
  if (!remote.value) throw new UserError(`cache ${action} needs a remote cache: --remote-cache URL or cache.remote in ${argv.config}`);
  const r = remote.value;
  try {
    if (action === 'push') {
      const counts = { uploaded: 0, present: 0, skipped: 0, failed: 0 };
      const uploads: Array<Promise<'uploaded' | 'present' | 'skipped' | 'failed'>> = [];
      for (const e of await store.entries()) {
        if (isCorrupt(e.entry) || !(await store.check(e.entry, false)).ok) continue;
        uploads.push((await pushEntry(store, r, e.entry)).done);
      }
      for (const u of await Promise.all(uploads)) counts[u]++;
      say(argv.json, counts, `pushed ${counts.uploaded} entries to ${r.where}; ${counts.present} were there already${counts.failed + counts.skipped ? `; ${counts.failed + counts.skipped} not uploaded` : ''}`);
      return r.usable && counts.failed === 0 && counts.skipped === 0 ? 0 : 1;
    }
    const declared = checkDeclarations(registry.stages);
    const selected = select(registry.stages, registry.stages.map((s) => s.name));
    if (!declared.ok || !selected.ok) throw new Error(`Internal error: ${declared.ok ? (selected.ok ? '' : selected.error) : declared.error}`);
    const before = await planStages(selected.value, config, { store, exec, code: registry.code ?? (await loadCodeIdentity()), remote: r, warn: (s, m) => warn(`[${s}] ${m}`) });
    const wanted = before.filter((p) => p.status === 'remote-hit').length;
    await planStages(selected.value, config, { store, exec, code: registry.code ?? (await loadCodeIdentity()), remote: r, pull: true, warn: (s, m) => warn(`[${s}] ${m}`) });
    const after = await planStages(selected.value, config, { store, exec, code: registry.code ?? (await loadCodeIdentity()) });
    const local = after.filter((p) => p.status === 'hit').length;
    say(argv.json, { pulled: wanted, local }, `pulled ${wanted} entries from ${r.where}; ${local} of ${after.length} stages are now local hits`);
    return r.usable ? 0 : 1;
  } finally {
    r.close();
  }
}
