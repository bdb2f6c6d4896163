/**
 * A throw anywhere in a stage's execution (the store refusing an output, an input that cannot be placed, not
 * only the stage's own code) fails that stage alone: its outcome says why, the stages that need it are skipped,
 * what was built stays built, and the manifest is written.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { writeLatest } from '../../pipeline/store/latest.js';
import { createLogger, type Logger } from '../../pipeline/log/log.js';
import { ok } from '../../pipeline/result.js';
import { runStages } from '../../pipeline/execute/runner.js';
import { defineStage, type StageDef } from '../../pipeline/stage.js';
import { Store, type StoredOutput } from '../../pipeline/store/store.js';

const write = (name: string, inputs: StageDef<null>['inputs'] = {}) =>
  defineStage<null>({
    name,
    version: 1,
    description: name,
    config: () => null,
    inputs,
    outputs: { out: `${name}.txt` },
    async run(ctx) {
      await writeFile(ctx.out('out'), name);
      return ok(undefined);
    },
  });

/** A store whose disk gives out on one file: `putFile` throws what a bug (or a dying disk) would. */
class Gremlin extends Store {
  constructor(
    root: string,
    private readonly file: string,
    private readonly error: Error,
  ) {
    super(root);
  }
  override async putFile(path: string, file: string, sha?: string): Promise<StoredOutput> {
    if (file === this.file) throw this.error;
    return super.putFile(path, file, sha);
  }
}

async function run(file: string, error: Error, log: Logger = createLogger({ json: true, stream: new PassThrough() })) {
  const root = await mkdtemp(join(tmpdir(), 'ef-thrown-'));
  const store = new Gremlin(root, file, error);
  const stages = [write('a'), write('b'), write('c', { b: { stage: 'b', output: 'out' } })];
  const outcomes = await runStages(stages, {}, { store, log, exec });
  const manifest = await writeLatest(store, 'toy.yaml', outcomes, { configSha: 'x' });
  return { root, outcomes, manifest, byStage: Object.fromEntries(outcomes.map((o) => [o.stage, o])) };
}

test('a throw from the store while committing fails that stage; the rest is built, the manifest written', async () => {
  const r = await run('b.txt', new TypeError("Cannot read properties of undefined (reading 'sha256')"));
  const b = r.byStage['b']!;
  assert.equal(b.status, 'failed');
  assert.equal(b.cause, 'unknown-error-thrown');
  assert.equal(b.reason, "internal error in stage b: Cannot read properties of undefined (reading 'sha256')");
  assert.match(String(b.key), /^[0-9a-f]{64}$/, 'recorded under the key it was building');
  assert.deepEqual(
    b.events.map((e) => e.kind),
    ['planned', 'started', 'failed'],
  );
  assert.equal(r.byStage['a']?.status, 'built');
  assert.equal(r.byStage['c']?.status, 'skipped');
  assert.equal(r.byStage['c']?.reason, 'needs b, which was failed');
  assert.equal(r.manifest.stages['b']?.status, 'failed');
  assert.equal(r.manifest.stages['b']?.cause, 'unknown-error-thrown');
  const said = r.manifest.stages['b']?.events?.at(-1);
  assert.deepEqual(said, b.events.at(-1), 'the manifest records what was said');
  assert.deepEqual(said && { ...said, ms: 0 }, {
    kind: 'failed',
    stage: 'b',
    phase: 'run',
    cause: b.cause,
    reason: b.reason,
    ms: 0,
  });
  const onDisk = JSON.parse(readFileSync(join(r.root, 'latest', 'manifest.json'), 'utf8')) as typeof r.manifest;
  assert.equal(onDisk.stages['b']?.status, 'failed');
  assert.equal(readFileSync(join(r.root, 'latest', 'a.txt'), 'utf8'), 'a', 'what was built is in latest/');
  assert.equal(existsSync(join(r.root, 'latest', 'b.txt')), false);
  assert.deepEqual(readdirSync(join(r.root, 'store', 'tmp')), [], "the failed stage's tmp folder is removed");
  await rm(r.root, { recursive: true, force: true });
});

test('a full disk under the store is the environment, said in the user terms', async () => {
  const full = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  const r = await run('a.txt', full);
  const a = r.byStage['a']!;
  assert.equal(a.status, 'failed');
  assert.equal(a.cause, 'environment');
  assert.equal(
    a.reason,
    'a: no space left on the device; free some space or pass --artifacts on another disk (ENOSPC)',
  );
  assert.equal(r.byStage['b']?.status, 'built');
  assert.equal(r.manifest.stages['a']?.status, 'failed');
  await rm(r.root, { recursive: true, force: true });
});

test('an input that cannot be placed (its object gone from the store) fails the consumer, not the run', async () => {
  const root = await mkdtemp(join(tmpdir(), 'ef-thrown-'));
  const store = new Store(root);
  const sha = createHash('sha256').update('b').digest('hex');
  // Something else (a careless `rm`, another tool) takes b's object away the moment b is stored.
  const log: Logger = {
    emit: (e) => (e.kind === 'built' && e.stage === 'b' ? rmSync(store.objectPath(sha)) : undefined),
    warn: () => undefined,
  };
  const outcomes = await runStages(
    [write('b'), write('c', { b: { stage: 'b', output: 'out' } })],
    {},
    { store, log, exec },
  );
  const c = outcomes.find((o) => o.stage === 'c')!;
  assert.equal(c.status, 'failed');
  assert.equal(c.cause, 'unknown-error-thrown');
  assert.match(String(c.reason), /^internal error in stage c: ENOENT: no such file or directory/);
  assert.equal(outcomes.find((o) => o.stage === 'b')?.status, 'built');
  await rm(root, { recursive: true, force: true });
});
