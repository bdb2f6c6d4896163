/**
 * Commands, their help and their filters come from the registry: the toy registry (test/pipeline/fixtures/
 * toy-stages.ts) declares its commands, which stage options each takes, a tag filter (`--precision`) and a filter
 * of its own (`--leave-out STAGE`), and the generic CLI offers exactly those.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cli, manifest, project } from './toy.js';

/** The option names a `--help` lists. */
const optionsIn = (help: string): string[] => [...help.matchAll(/^ {2}--([a-z-]+)/gm)].map((m) => m[1]!);

test("the toy's commands are the CLI's, each with the line its registry gives it", async () => {
  const p = project();
  const r = await cli(p, ['--help']);
  assert.equal(r.code, 0, r.stderr);
  const listed = [...r.stdout.matchAll(/^ {2}enginefoundry (\S+)/gm)].map((m) => m[1]);
  assert.deepEqual(listed, ['run', 'join', 'side', 'measure', 'tooled', 'plan', 'cache']);
  assert.match(r.stdout, /join\s+the joined text/);
  assert.match(r.stdout, /measure\s+a measurement of the joined text/);
});

test("each command's --help lists the stage options it declares, plan the filters, cache none", async () => {
  const p = project();
  const own = [
    'config',
    'set',
    'require',
    'force',
    'explain',
    'verbose',
    'jobs',
    'json',
    'log-format',
    'artifacts',
    'remote-cache',
    'verify',
  ];
  const help = async (...command: string[]) => {
    const r = await cli(p, [...command, '--help']);
    assert.equal(r.code, 0, r.stderr);
    return optionsIn(r.stdout).filter((o) => !['version', 'help'].includes(o));
  };
  assert.deepEqual(await help('join'), [...own, 'precision', 'leave-out']);
  assert.deepEqual(await help('measure'), [...own, 'precision', 'baseline']);
  assert.deepEqual(await help('side'), own);
  assert.deepEqual(await help('run'), [...own, 'precision', 'baseline', 'leave-out']);
  const planOwn = ['config', 'set', 'require', 'force', 'json', 'log-format', 'artifacts', 'remote-cache'];
  assert.deepEqual(await help('plan'), [...planOwn, 'precision', 'leave-out']);
  assert.deepEqual(await help('cache', 'ls'), ['config', 'json', 'log-format', 'artifacts', 'remote-cache']);
});

test('a stage option on a command that does not declare it is a usage error naming it', async () => {
  const p = project();
  const r = await cli(p, ['side', '--baseline', 'old.json']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--baseline is not an option of this command/);
  const typo = await cli(p, ['join', '--leave-ot', 'upper']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown option --leave-ot \(did you mean --leave-out\?\)/);
  const value = await cli(p, ['join', '--precision', 'fp8']);
  assert.equal(value.code, 2);
  assert.match(value.stderr, /--precision fp8: must be one of fp32, fp16, all/);
});

test('a filter the registry declares leaves out the stages it names, with its reason, in run and in plan', async () => {
  const p = project();
  const r = await cli(p, ['join', '--leave-out', 'upper']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns().sort(), ['count', 'source']);
  const m = manifest(p);
  assert.equal(m.stages['upper']?.status, 'skipped');
  assert.equal(m.stages['upper']?.cause, 'excluded');
  assert.equal(m.stages['upper']?.reason, 'left out by --leave-out upper');

  const plan = await cli(p, ['plan', '--leave-out', 'count', '--json']);
  assert.equal(plan.code, 0, plan.stderr);
  const planned = JSON.parse(plan.stdout) as { stages: Array<{ stage: string; status: string; reason?: string }> };
  const count = planned.stages.find((s) => s.stage === 'count');
  assert.deepEqual(count, {
    stage: 'count',
    status: 'skipped',
    reason: 'left out by --leave-out count',
    cause: 'excluded',
  });
  assert.deepEqual(p.takeRuns(), [], 'plan runs nothing');
});

test('--jobs takes a whole number of stages, 1 or more: anything else is one line and exit 2', async () => {
  const p = project();
  for (const bad of ['0', '1.5', 'x']) {
    const r = await cli(p, ['run', '--jobs', bad]);
    assert.equal(r.code, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(
      lines[0]!,
      new RegExp(`--jobs ${bad.replace('.', '\\.')}: give a whole number of stages to build at once`),
    );
  }
  assert.equal((await cli(p, ['run', '--jobs', '1'])).code, 0);
});
