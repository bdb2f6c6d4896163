/**
 * `make bench-noop`: what the runner costs when there is nothing to do.
 *  1. Wall time of a whole `node pipeline.mjs <command>` process on an already built store (target ≤ 0.3 s),
 *     for `onnx` and `engines`, and of `make engines`, next to `node -e 0` and the import time of the CLI.
 *  2. The runner's own overhead per stage, in process, with trivial stages: per miss (tmp dir, key, commit to the
 *     store) and per hit (key, entry read, stamp check).
 * Config: CONFIG (default configs/ci.yaml), artifacts in ARTIFACTS (default artifacts/).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { exec } from '../pipeline/exec.js';
import { createLogger } from '../pipeline/log.js';
import { ok } from '../pipeline/result.js';
import { runStages } from '../pipeline/runner.js';
import { defineStage, type StageDef } from '../pipeline/stage.js';
import { Store } from '../pipeline/store.js';
import { median, timeProcess } from './timing.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '').replace(/\/dist$/, '');
const config = process.env['CONFIG'] ?? 'configs/ci.yaml';
const artifacts = process.env['ARTIFACTS'] ?? 'artifacts';
const RUNS = 5;
const node = process.execPath;
const cli = join(root, 'pipeline.mjs');

async function wholeProcess(command: string): Promise<void> {
  const args = [cli, command, '--config', config, '--artifacts', artifacts, '--json'];
  const warm = await exec(node, args, { cwd: root });
  if (warm.exitCode !== 0) {
    console.log(`  ${command}: the warm-up run failed (exit ${warm.exitCode}): ${warm.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    return;
  }
  const t = await timeProcess(node, args, RUNS);
  if (!t.ok) return console.log(`  ${command}: ${t.error}`);
  const manifest = JSON.parse(readFileSync(resolve(root, artifacts, 'latest', 'manifest.json'), 'utf8')) as { stages: Record<string, { status: string; ms: number }> };
  const stages = Object.values(manifest.stages);
  const hits = stages.filter((s) => s.status === 'cached');
  const runnerMs = hits.reduce((n, s) => n + s.ms, 0);
  console.log(`  no-op ${command.padEnd(8)} ${t.value.ms.toFixed(0).padStart(5)} ms whole process (median of ${RUNS}); ${stages.length} stages: ` +
    `${hits.length} cached (${runnerMs.toFixed(1)} ms of stage checks), ${stages.filter((s) => s.status === 'skipped').length} skipped, ${stages.filter((s) => s.status === 'built').length} built`);
}

async function importTimes(): Promise<void> {
  const script = `const t0=performance.now();await import(${JSON.stringify(join(root, 'dist/cli/main.js'))});console.log(performance.now()-t0)`;
  const ms: number[] = [];
  for (let i = 0; i < RUNS; i++) ms.push(Number((await exec(node, ['--input-type=module', '-e', script])).stdout));
  const bare = await timeProcess(node, ['-e', '0'], RUNS);
  console.log(`  node -e 0          ${bare.ok ? bare.value.ms.toFixed(0).padStart(5) : '?'} ms`);
  console.log(`  import the CLI     ${median(ms).toFixed(0).padStart(5)} ms (the bundle: yargs, yaml, pino, the runner, every stage's declaration; no stage's run)`);
}

/** The same no-op through make, as a user types it: make's own start and its check of the sources. */
async function throughMake(): Promise<void> {
  if (artifacts !== 'artifacts') return console.log('  make engines: measured only with the default store (ARTIFACTS unset)');
  const t = await timeProcess('make', ['-s', 'engines', `CONFIG=${config}`], RUNS);
  console.log(t.ok ? `  no-op make engines ${t.value.ms.toFixed(0).padStart(5)} ms whole process (median of ${RUNS})` : `  make engines: ${t.error}`);
}

/** A chain of `n` trivial stages, each copying its input; measures the runner, not the work. */
function chain(n: number): StageDef<unknown>[] {
  return Array.from({ length: n }, (_, i) =>
    defineStage<unknown>({
      name: `s${i}`,
      version: 1,
      description: 'trivial',
      config: () => ({ i }),
      inputs: i === 0 ? {} : { x: { stage: `s${i - 1}`, output: 'x' } },
      outputs: { x: `x${i}.txt` },
      async run(ctx) {
        await writeFile(ctx.out('x'), `${i}`);
        return ok(undefined);
      },
    }),
  );
}

async function perStage(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'ef-bench-noop-'));
  const store = new Store(dir);
  const log = createLogger({ json: true, stream: new Writable({ write: (_c, _e, cb) => cb() }) });
  const stages = chain(40);
  const time = async () => {
    const t0 = performance.now();
    const out = await runStages(stages, {}, { store, log, exec });
    if (out.some((o) => o.status === 'failed')) throw new Error('Internal error: a trivial stage failed');
    return (performance.now() - t0) / stages.length;
  };
  const miss = await time();
  const hits: number[] = [];
  for (let i = 0; i < RUNS; i++) hits.push(await time());
  rmSync(dir, { recursive: true, force: true });
  console.log(`  runner per stage: ${miss.toFixed(2)} ms on a miss (tmp dir, key, commit), ${median(hits).toFixed(2)} ms on a hit (key, entry, stamp check); ${stages.length}-stage chain`);
}

console.log(`bench-noop (${config}, store ${artifacts}/)`);
await importTimes();
await wholeProcess('onnx');
await wholeProcess('engines');
await throughMake();
await perStage();
