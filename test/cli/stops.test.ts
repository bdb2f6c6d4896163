/**
 * Stops and deaths during the benchmark, through the shipped CLI with the real torch runner (Debian's torch):
 * a runner killed from outside (the OOM killer's SIGKILL) fails the benchmark with that reason, exit 1, nothing
 * stored; a Ctrl-C while it measures is one interrupted line, exit 130, no skip reasons for what it stopped.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fromRoot } from '../repo-root.js';
import { readManifest, shippedCli } from './cli-kit.js';

const quick = ['bench.engines=[torch-eager]', 'bench.batch_sizes=[1]', 'bench.runs=100', 'bench.max_seconds=30'];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The torch runner measuring for CLI process `parent`: its child running torch_runner.py, once it has started. */
function runnerOf(parent: number): number | undefined {
  for (const d of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes('torch_runner.py')) return Number(d);
    } catch {
      // A process that ended while it was read.
    }
  }
  return undefined;
}

/** A benchmark run; once the runner measures (its request sent), `act` gets the CLI's and the runner's pids. */
async function benchWhileMeasuring(artifacts: string, act: (cli: number, runner: number) => void) {
  const args = [
    'bench',
    '--config',
    'configs/ci.yaml',
    ...quick.flatMap((s) => ['--set', s]),
    '--artifacts',
    artifacts,
  ];
  const child = spawn(process.execPath, [fromRoot('pipeline.mjs'), ...args], { cwd: fromRoot() });
  let stderr = '';
  let acted = false;
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const closed = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
  for (const end = Date.now() + 120_000; !acted && Date.now() < end && child.exitCode === null; await sleep(50)) {
    if (!/\[benchmark\] torch .*: \d+ runs/.test(stderr)) continue;
    const runner = runnerOf(child.pid!);
    if (runner === undefined) continue;
    await sleep(300);
    act(child.pid!, runner);
    acted = true;
  }
  const code = await closed;
  assert.ok(acted, `the torch runner never started measuring:\n${stderr}`);
  return { code, stderr };
}

const stored = (artifacts: string) => {
  const dir = join(artifacts, 'store', 'entries', 'benchmark');
  return existsSync(dir) ? readdirSync(dir).filter((f) => f !== 'last.json').length : 0;
};

test('a torch runner killed from outside fails the benchmark: the reason, exit 1, nothing stored', async () => {
  const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-died-')), 'artifacts');
  assert.equal((await shippedCli(['onnx', '--config', 'configs/ci.yaml', '--artifacts', artifacts])).exitCode, 0);
  const r = await benchWhileMeasuring(artifacts, (_cli, runner) => process.kill(runner, 'SIGKILL'));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /error \[benchmark\] failed benchmark: the torch runner \(.*\) was killed by SIGKILL/);
  assert.doesNotMatch(r.stderr, /measured \d+ engine runs/);
  assert.equal(readManifest(artifacts).stages['benchmark']?.status, 'failed');
  assert.equal(stored(artifacts), 0, 'nothing stored as built');
});

test('a torch runner that crashes itself (SIGSEGV) fails only its runs, each skipped; the rest is stored', async () => {
  const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-crash-')), 'artifacts');
  assert.equal((await shippedCli(['onnx', '--config', 'configs/ci.yaml', '--artifacts', artifacts])).exitCode, 0);
  const r = await benchWhileMeasuring(artifacts, (_cli, runner) => process.kill(runner, 'SIGSEGV'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /skipped torch-eager fp32: the torch runner failed: .* crashed with SIGSEGV/);
  assert.match(r.stderr, /measured \d+ engine runs/);
  assert.equal(readManifest(artifacts).stages['benchmark']?.status, 'built');
  assert.equal(stored(artifacts), 1);
});

test('Ctrl-C while the torch runner measures: one interrupted line, no skip reasons, exit 130', async () => {
  const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-stop-')), 'artifacts');
  assert.equal((await shippedCli(['onnx', '--config', 'configs/ci.yaml', '--artifacts', artifacts])).exitCode, 0);
  const r = await benchWhileMeasuring(artifacts, (cli) => process.kill(cli, 'SIGINT'));
  assert.equal(r.code, 130, r.stderr);
  const about = r.stderr
    .split('\n')
    .filter((l) => /^(warn|error) \[benchmark\]|\[benchmark\] (skipped|failed)/.test(l));
  assert.deepEqual(about, ['warn [benchmark] interrupted interrupted by SIGINT']);
  assert.doesNotMatch(r.stderr, /skipped torch-eager|exited SIGTERM/);
  assert.equal(stored(artifacts), 0);
});
