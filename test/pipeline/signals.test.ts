import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { repoRoot } from '../repo-root.js';
import { cli, manifest, project, start, type Project } from './toy.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function until(what: string, check: () => boolean, ms = 20_000): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await sleep(20)) if (check()) return;
  throw new Error(`timed out waiting for ${what}`);
}

const storedKeys = (p: Project, stage: string): number => {
  const dir = join(p.artifacts, 'store', 'entries', stage);
  return existsSync(dir) ? readdirSync(dir).filter((f) => f !== 'last.json').length : 0;
};

function assertNothingPartial(p: Project): void {
  const entries = join(p.artifacts, 'store', 'entries');
  assert.equal(existsSync(join(entries, 'upper')), false, 'no entry for the interrupted stage');
  const tmp = join(p.artifacts, 'store', 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'the run removed its tmp folder');
}

test(
  'SIGINT in a CPU-bound stage that checks its signal between slices: stopped within 2 s, exit 130, ' +
    'nothing stored, the manifest says interrupted',
  async () => {
    const p = project();
    const child = start(p, ['join'], { TOY_SPIN_MS: '60000' });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await until('upper to start', () => readFileSync(p.runlog, 'utf8').includes('upper'));
    // count runs beside upper; on a loaded machine it may not be stored yet, and the rerun below would build it.
    await until('count to be stored', () => storedKeys(p, 'count') > 0);
    await sleep(300);
    const sent = Date.now();
    child.kill('SIGINT');
    const [code] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
    const took = Date.now() - sent;
    assert.equal(code, 130, stderr);
    assert.ok(took < 2000, `stopped ${took} ms after SIGINT`);
    assertNothingPartial(p);
    const m = manifest(p) as ReturnType<typeof manifest> & { interrupted?: string };
    assert.equal(m.interrupted, 'SIGINT');
    assert.equal(m.stages['upper']?.status, 'interrupted');
    assert.equal(m.stages['toy:join']?.status, 'interrupted');
    assert.equal(m.stages['source']?.status, 'built');
    assert.match(stderr, /interrupted by SIGINT/);
    assert.doesNotMatch(stderr, /"status":"skipped"/);

    p.takeRuns();
    const again = await cli(p, ['join']);
    assert.equal(again.code, 0);
    assert.deepEqual(
      again.records
        .filter((x) => x['status'] === 'built')
        .map((x) => x['stage'])
        .sort(),
      ['toy:join', 'upper'],
    );
  },
);

test('a stage deaf to its abort signal is abandoned: exit 130 all the same, nothing of it stored', async () => {
  const p = project();
  const child = start(p, ['join'], { TOY_SPIN_MS: '60000', TOY_SPIN_DEAF: '1' });
  await until('upper to start', () => readFileSync(p.runlog, 'utf8').includes('upper'));
  child.kill('SIGINT');
  const [code] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
  assert.equal(code, 130);
  assertNothingPartial(p);
  assert.equal(manifest(p).stages['upper']?.status, 'interrupted');
});

test('SIGTERM while a stage waits on a child process: the child is stopped, exit 143', async () => {
  const p = project();
  const pidFile = join(p.dir, 'child.pid');
  const child = start(p, ['join'], { TOY_CHILD_PIDFILE: pidFile });
  await until('the child to start', () => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '');
  const pid = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(alive(pid));
  child.kill('SIGTERM');
  const [code] = await new Promise<[number | null, string | null]>((r) => child.on('close', (c, s) => r([c, s])));
  assert.equal(code, 143);
  await until('the child to go', () => !alive(pid), 2000);
  assertNothingPartial(p);
  assert.equal((manifest(p) as { interrupted?: string }).interrupted, 'SIGTERM');
});

test('the lock of a crashed holder is broken, and the key is built', async () => {
  const p = project();
  const plan = JSON.parse((await cli(p, ['plan', '--json'])).stdout) as {
    stages: Array<{ stage: string; key?: string }>;
  };
  const key = plan.stages.find((s) => s.stage === 'source')!.key!;
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  const lock = join(p.artifacts, 'store', 'locks', 'source', `${key}.lock`);
  mkdirSync(join(lock, '..'), { recursive: true });
  writeFileSync(lock, JSON.stringify({ pid: dead, host: hostname(), since: Date.now() - 60_000 }));
  const r = await cli(p, ['join']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(manifest(p).stages['source']?.status, 'built');
  assert.equal(existsSync(lock), false);
});

test('torch_runner.py outlives a kill -9 of its parent by at most a second', async (t) => {
  // A parent that starts the runner as the benchmark does (stdin a pipe) and then is killed outright.
  const runner = join(repoRoot, 'torch', 'torch_runner.py');
  const spawnRunner = `require('node:child_process').spawn('/usr/bin/python3', [${JSON.stringify(runner)}], `;
  const script = `const c = ${spawnRunner}{ stdio: ['pipe', 'ignore', 'ignore'] });
    console.log(c.pid); setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((r) =>
    parent.stdout.once('data', (d: Buffer) => r(Number(d.toString().trim()))),
  );
  t.after(() => {
    for (const p of [parent.pid!, pid]) if (alive(p)) process.kill(p, 'SIGKILL');
  });
  // Let the runner get past its start (the watch begins before torch is imported).
  await sleep(500);
  assert.ok(alive(pid));
  parent.kill('SIGKILL');
  const killed = Date.now();
  await until('the runner to exit', () => !alive(pid) || isZombie(pid), 3000);
  const took = Date.now() - killed;
  assert.ok(took <= 1000, `the runner outlived its parent by ${took} ms`);
});

/** A re-parented child that has exited but whose new parent has not reaped it yet counts as gone. */
function isZombie(pid: number): boolean {
  try {
    return /^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return true;
  }
}
