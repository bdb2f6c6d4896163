/**
 * `make bench-import`: a ~10 MB real model (ppocr_v4_rec, 10.8 MB, 765 nodes) brought in through the product's
 * own path, in process: the preflight (read, decode, names, external data, input shapes), then the import,
 * validate and optimize stages run by the runner into a fresh store (so nothing is a hit). Target: ≤ 1.5 s in
 * all. Prints each part's median over `--repeat` runs (default 3).
 * usage: node dist/bench/import.js [--model NAME] [--repeat N]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { exec } from '../pipeline/exec.js';
import { select } from '../pipeline/graph.js';
import { createLogger } from '../pipeline/log.js';
import { runStages } from '../pipeline/runner.js';
import { Store } from '../pipeline/store.js';
import { preflight } from '../stages/import/preflight.js';
import { registry } from '../stages/index.js';
import { realModels } from '../test/corpus/models.js';
import { fromRoot } from '../test/repo-root.js';

const { values: args } = parseArgs({
  options: { model: { type: 'string', default: 'ppocr_v4_rec' }, repeat: { type: 'string', default: '3' } },
});
const model = realModels(args.model)[0]!;
const configFile = fromRoot('configs', 'examples', `${model.name}.yaml`);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const stages = select(registry.stages, ['optimize']);
if (!stages.ok) throw new Error(stages.error);

const parts = new Map<string, number[]>();
const record = (name: string, ms: number) => parts.set(name, [...(parts.get(name) ?? []), ms]);
for (let r = 0; r < Number(args.repeat); r++) {
  const dir = await mkdtemp(join(tmpdir(), 'ef-bench-import-'));
  try {
    const t0 = performance.now();
    const raw = parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
    const config = await preflight({ ...raw, model: { ...(raw['model'] as object), path: model.file } }, configFile);
    if (!config.ok) throw new Error(config.error);
    const t1 = performance.now();
    const log = createLogger({ json: true, level: 'error' });
    const outcomes = await runStages(stages.value, config.value, { store: new Store(dir), log, exec });
    const t2 = performance.now();
    record('preflight', t1 - t0);
    for (const o of outcomes) {
      if (o.status === 'failed') throw new Error(`${o.stage} failed: ${o.reason}`);
      if (o.status === 'built') record(o.stage, o.ms);
    }
    record('total', t2 - t0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const { size } = await import('node:fs').then((fs) => fs.statSync(model.file));
console.log(`${model.name} (${(size / 1e6).toFixed(1)} MB), median of ${args.repeat} runs, fresh store each:`);
for (const [name, ms] of parts) console.log(`  ${name.padEnd(10)} ${(median(ms) / 1000).toFixed(3)} s`);
const total = median(parts.get('total')!) / 1000;
console.log(`import + validate + optimize: ${total.toFixed(3)} s (target ≤ 1.5 s: ${total <= 1.5 ? 'met' : 'NOT met'})`);
