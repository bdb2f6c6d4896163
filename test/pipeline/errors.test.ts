import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cli, manifest, project } from './toy.js';

test('a stage that fails: exit 1 with its message, earlier artifacts intact, nothing of it stored', async () => {
  const p = project();
  assert.equal((await cli(p, ['join'])).code, 0);
  const before = manifest(p);
  p.writeConfig('src:\n  text: hello\nside:\n  fail: true\n');
  p.takeRuns();
  const r = await cli(p, ['run']);
  assert.equal(r.code, 1);
  const failure = r.records.find((x) => x['stage'] === 'side' && x['status'] === 'failed');
  assert.equal(failure?.['msg'], 'side: the configured failure');
  assert.deepEqual(failure?.['details'], ['side.fail is true']);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const m = manifest(p);
  assert.equal(m.stages['side']?.status, 'failed');
  assert.deepEqual(m.stages['side']?.outputs, {});
  assert.equal(m.stages['toy:join']?.key, before.stages['toy:join']?.key);
  assert.equal(m.stages['toy:join']?.status, 'cached');
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'joined.txt'), 'utf8'), 'HELLO {"n":10}');
  const ls = JSON.parse((await cli(p, ['cache', 'ls', '--json'])).stdout) as Array<{ stage: string }>;
  assert.equal(
    ls.some((e) => e.stage === 'side'),
    false,
  );
  assert.equal((await cli(p, ['cache', 'verify'])).code, 0);
});

test('an exception inside a stage is one "internal error in stage" line, exit 1', async () => {
  const p = project('side:\n  throw: true\n');
  const r = await cli(p, ['side']);
  assert.equal(r.code, 1);
  const failure = r.records.find((x) => x['stage'] === 'side' && x['status'] === 'failed');
  assert.equal(failure?.['msg'], 'internal error in stage side: side blew up');
  assert.equal(manifest(p).stages['side']?.reason, 'internal error in stage side: side blew up');
});

test('bad config: exit 2 naming the file and the field', async () => {
  const p = project('count:\n  factor: many\n  facter: 2\n');
  const r = await cli(p, ['run']);
  assert.equal(r.code, 2);
  // One line: the first problem, where it is, and how many more there are.
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(
    r.stderr,
    new RegExp(
      `${p.config.replace(/[.]/g, '\\.')}:3:3: unknown field count\\.facter \\(did you mean factor\\?\\) \\(and 1 more`,
    ),
  );
  assert.deepEqual(p.takeRuns(), []);
  p.writeConfig('count:\n  factor: many\n');
  assert.match(
    (await cli(p, ['run'])).stderr,
    new RegExp(`${p.config.replace(/[.]/g, '\\.')}:2:11: count\\.factor must be integer`),
  );

  p.writeConfig('src:\n  text: [unclosed\n');
  const y = await cli(p, ['run']);
  assert.equal(y.code, 2);
  assert.match(y.stderr, /toy\.yaml:\d+:\d+: invalid YAML/);

  p.writeConfig('bogus: {}\n');
  assert.match((await cli(p, ['plan'])).stderr, /unknown field bogus/);
});

test('--set overrides a field and is validated like the file', async () => {
  const p = project();
  const r = await cli(p, ['join', '--set', 'count.factor=5']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(join(p.artifacts, 'latest', 'count.json'), 'utf8')).n, 25);
  const bad = await cli(p, ['join', '--set', 'count.factor=x']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /count\.factor must be integer/);
});

test('a missing optional tool skips its stage and the stages that need it, the reason in the manifest', async () => {
  const p = project();
  const r = await cli(p, ['run']);
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(p);
  assert.equal(m.stages['tooled']?.status, 'skipped');
  assert.equal(m.stages['tooled']?.reason, 'faketool unavailable: faketool not found (set TOY_TOOL)');
  assert.equal(m.stages['after-tool']?.status, 'skipped');
  assert.equal(m.stages['after-tool']?.reason, 'needs tooled, which was skipped');
  // measure takes tooled as an optional input, so it still runs.
  assert.equal(m.stages['measure']?.status, 'built');
  assert.equal(JSON.parse(readFileSync(join(p.artifacts, 'latest', 'measure.json'), 'utf8')).tooled, false);
  // Each skip is said once, as it happens, with the full reason beside the short message.
  const skips = r.records.filter((x) => x['status'] === 'skipped');
  assert.deepEqual(skips.map((x) => x['stage']).sort(), ['after-tool', 'tooled']);
  assert.equal(
    skips.find((x) => x['stage'] === 'tooled')?.['msg'],
    'faketool unavailable: faketool not found (set TOY_TOOL)',
  );
  assert.equal(
    skips.find((x) => x['stage'] === 'tooled')?.['reason'],
    'faketool unavailable: faketool not found (set TOY_TOOL)',
  );

  const req = await cli(p, ['tooled', '--require', 'faketool']);
  assert.equal(req.code, 1);
  assert.equal(
    manifest(p).stages['tooled']?.reason,
    'faketool is required (--require) but unavailable: faketool not found (set TOY_TOOL)',
  );
  assert.equal((await cli(p, ['run', '--require', 'nosuchtool'])).code, 2);
});

test('a present tool is probed, enters the key, and its stage runs with it', async () => {
  const p = project();
  const dir = mkdtempSync(join(tmpdir(), 'ef-tool-'));
  const tool = join(dir, 'faketool');
  const calls = join(dir, 'calls');
  // A fake standing in for an external program; it records how it was called.
  const script = (version: string) =>
    `#!/bin/sh\necho "$@" >> ${calls}\nif [ "$1" = --version ]; then echo ${version}; exit 0; fi\n` +
    '[ "$1" = shout ] || exit 3\ntr a-z A-Z < "$2"\n';
  writeFileSync(tool, script('1.0'));
  chmodSync(tool, 0o755);
  const r = await cli(p, ['tooled', '--require', 'faketool'], { TOY_TOOL: tool });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(p.artifacts, 'latest', 'after.txt'), 'utf8'), 'HELLO');
  const lines = readFileSync(calls, 'utf8').trim().split('\n');
  assert.equal(lines[0], '--version');
  assert.match(lines[1]!, /^shout .*\/inputs\/text\/text\.txt$/);
  p.takeRuns();

  writeFileSync(tool, script('2.0'));
  const r2 = await cli(p, ['tooled', '--explain'], { TOY_TOOL: tool });
  assert.equal(r2.code, 0);
  assert.deepEqual(p.takeRuns(), ['tooled']);
  const miss = r2.records.find((x) => x['stage'] === 'tooled' && x['status'] === 'running');
  assert.deepEqual(miss?.['explain'], ['tool faketool.version changed "1.0" → "2.0"']);
});

test('--baseline reaches stages as ctx.options.baseline', async () => {
  const p = project();
  const r = await cli(p, ['measure', '--baseline', 'old/bench.json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(
    JSON.parse(readFileSync(join(p.artifacts, 'latest', 'measure.json'), 'utf8')).baseline,
    join(process.cwd(), 'old/bench.json'),
  );
});

test('--precision leaves out stages tagged with the other precision, and what needs them', async () => {
  const p = project();
  const r = await cli(p, ['join', '--precision', 'fp32']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns().sort(), ['source', 'upper']);
  const m = manifest(p);
  assert.equal(m.stages['count']?.reason, 'left out by --precision fp32');
  assert.equal(m.stages['toy:join']?.reason, 'left out by --precision fp32', 'the exclusion passes to its consumers');
  assert.equal((await cli(p, ['join', '--precision', 'fp16'])).code, 0);
  assert.deepEqual(p.takeRuns().sort(), ['count', 'toy:join']);
});
