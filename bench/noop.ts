/**
 * `make bench-noop`: what the runner costs when there is nothing to do.
 *  1. Wall time of a whole `node pipeline.mjs engines` process on an already built store (target ≤ 0.25 s) and
 *     of `make engines` (≤ 0.35 s, make's own part ≤ 30 ms), beside `node -e 0`; then the CLI's import time.
 *  2. The runner's own overhead per stage, in process, with trivial stages: per miss (tmp dir, key, commit to the
 *     store) and per hit (key, entry read, stamp check).
 * Config: CONFIG (default configs/ci.yaml), artifacts in ARTIFACTS (default artifacts/).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { exec } from '../pipeline/execute/exec.js';
import { createLogger } from '../pipeline/log/log.js';
import { ok } from '../pipeline/result.js';
import { runStages } from '../pipeline/execute/runner.js';
import { defineStage, type StageDef } from '../pipeline/stage.js';
import { Store } from '../pipeline/store/store.js';
import { median } from './timing.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '').replace(/\/dist$/, '');
const config = process.env['CONFIG'] ?? 'configs/ci.yaml';
const artifacts = process.env['ARTIFACTS'] ?? 'artifacts';
const RUNS = 5;
const ROUNDS = Number(process.env['ROUNDS'] ?? 9);
const node = process.execPath;
const cli = join(root, 'pipeline.mjs');

/** The cached run's manifest: how many stages were hits and what the runner spent on them. */
function manifestLine(): string {
  const manifest = JSON.parse(readFileSync(resolve(root, artifacts, 'latest', 'manifest.json'), 'utf8')) as {
    stages: Record<string, { status: string; ms: number }>;
  };
  const stages = Object.values(manifest.stages);
  const count = (status: string) => stages.filter((s) => s.status === status).length;
  const hitMs = stages.filter((s) => s.status === 'cached').reduce((n, s) => n + s.ms, 0);
  return (
    `${stages.length} stages: ${count('cached')} cached (${hitMs.toFixed(1)} ms of stage checks), ` +
    `${count('skipped')} skipped, ${count('built')} built`
  );
}

/**
 * `node -e 0`, the no-op CLI and the same through make, alternated run by run so that a change in the machine's
 * load reaches all of them alike; medians of ROUNDS. make's own part is make with a recipe that does nothing
 * (CLI=:), i.e. its start, the Makefile's parse and its check of the sources. `-o node_modules/.package-lock.json`
 * keeps make from ever running `npm ci` here (a worktree whose node_modules is shared would lose it).
 */
async function alternating(command: string): Promise<void> {
  const args = ['--config', config, '--artifacts', artifacts];
  const warm = await exec(node, [cli, command, ...args, '--json'], { cwd: root });
  if (warm.exitCode !== 0) {
    const tail = warm.stderr.trim().split('\n').slice(-2).join(' | ');
    return console.log(`  ${command}: the warm-up run failed (exit ${warm.exitCode}): ${tail}`);
  }
  const make = [
    '-s',
    '-o',
    'node_modules/.package-lock.json',
    command,
    `CONFIG=${config}`,
    `ARGS=--artifacts ${artifacts}`,
  ];
  const runs: Record<string, [string, string[]]> = {
    'node -e 0': [node, ['-e', '0']],
    [`node pipeline.mjs ${command}`]: [node, [cli, command, ...args]],
    [`make ${command}`]: ['make', make],
    [`make's own part`]: ['make', [...make, 'CLI=:']],
  };
  const ms: Record<string, number[]> = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, [cmd, a]] of Object.entries(runs)) {
      const run = await exec(cmd, a, { cwd: root, env: { NO_COLOR: '1' } });
      if (run.exitCode !== 0)
        return console.log(`  ${name}: exit ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-2).join(' | ')}`);
      ms[name]!.push(run.ms);
    }
  }
  printMedians(ms);
}

/** Each command's median, the CLI's beside that of `node -e 0`. */
function printMedians(ms: Record<string, number[]>): void {
  const bare = median(ms['node -e 0']!);
  for (const [name, t] of Object.entries(ms)) {
    const m = median(t);
    const beside =
      name === 'node -e 0' || name.startsWith("make's")
        ? ''
        : ` (${(m / bare).toFixed(2)}× node -e 0, +${(m - bare).toFixed(0)} ms)`;
    console.log(`  ${name.padEnd(28)} ${m.toFixed(0).padStart(5)} ms${beside}`);
  }
  console.log(`  (medians of ${ROUNDS} alternating runs; ${manifestLine()})`);
}

async function importTime(): Promise<void> {
  const main = JSON.stringify(join(root, 'dist/cli/main.js'));
  const script = `const t0=performance.now();await import(${main});console.log(performance.now()-t0)`;
  const ms: number[] = [];
  for (let i = 0; i < ROUNDS; i++) ms.push(Number((await exec(node, ['--input-type=module', '-e', script])).stdout));
  console.log(
    `  import the CLI               ${median(ms).toFixed(0).padStart(5)} ms ` +
      "(the bundle: yargs, yaml, pino, the runner, every stage's declaration)",
  );
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
  console.log(
    `  runner per stage: ${miss.toFixed(2)} ms on a miss (tmp dir, key, commit), ` +
      `${median(hits).toFixed(2)} ms on a hit (key, entry, stamp check); ${stages.length}-stage chain`,
  );
}

console.log(`bench-noop (${config}, store ${artifacts}/)`);
await alternating('engines');
await importTime();
await perStage();
