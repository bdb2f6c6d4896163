/**
 * The shipped CLI end to end, as `make` runs it: `node pipeline.mjs` (the bundle under dist/cli/) with the real
 * stages on configs/ci.yaml. Each stage's own behaviour is tested beside it; this checks what only the whole
 * product shows: the lazily loaded stage code runs from the bundle, a second run is free, TensorRT is a stated
 * skip on a machine without it, and user mistakes end in one message and the documented exit code.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { fromRoot } from '../repo-root.js';

const dir = mkdtempSync(join(tmpdir(), 'ef-cli-'));
const artifacts = join(dir, 'artifacts');

async function cli(...args: string[]) {
  assert.ok(
    existsSync(fromRoot('dist/cli/main.js')),
    'the CLI bundle is missing: `make test` builds it (make dist/.built)',
  );
  const r = await exec(process.execPath, [fromRoot('pipeline.mjs'), ...args, '--artifacts', artifacts, '--json'], {
    cwd: fromRoot(),
  });
  const records = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { ...r, records };
}

type Manifest = {
  stages: Record<string, { status: string; reason?: string; outputs?: Record<string, { path: string }> }>;
};
const manifest = () => JSON.parse(readFileSync(join(artifacts, 'latest', 'manifest.json'), 'utf8')) as Manifest;

test('onnx builds, validates, optimizes and converts; the same command again builds nothing', async () => {
  const first = await cli('onnx', '--config', 'configs/ci.yaml');
  assert.equal(first.exitCode, 0, first.stderr);
  const built = manifest().stages;
  assert.deepEqual(Object.keys(built).sort(), ['build', 'convert:fp16', 'import', 'optimize', 'validate']);
  assert.equal(built['import']?.status, 'skipped', 'no model file: the built-in model is built');
  for (const [name, s] of Object.entries(built)) if (name !== 'import') assert.equal(s.status, 'built', name);
  for (const file of ['model.onnx', 'model.opt.onnx', 'model.fp16.onnx', 'validation.json', 'passes.json'])
    assert.ok(existsSync(join(artifacts, 'latest', file)), file);

  const again = await cli('onnx', '--config', 'configs/ci.yaml');
  assert.equal(again.exitCode, 0, again.stderr);
  for (const [name, s] of Object.entries(manifest().stages))
    assert.equal(s.status, name === 'import' ? 'skipped' : 'cached', name);
});

test('engines without TensorRT: both engine stages skipped with the reason; --require trtexec: exit 1', async () => {
  const r = await cli('engines', '--config', 'configs/ci.yaml');
  assert.equal(r.exitCode, 0, r.stderr);
  for (const name of ['engine:trt:fp32', 'engine:trt:fp16']) {
    const s = manifest().stages[name];
    assert.equal(s?.status, 'skipped');
    assert.match(s?.reason ?? '', /trtexec/);
  }
  const required = await cli('engines', '--config', 'configs/ci.yaml', '--require', 'trtexec');
  assert.equal(required.exitCode, 1);
  assert.ok(
    required.records.some((l) => l['level'] === 50 && /trtexec/.test(String(l['msg']))),
    required.stderr,
  );
  assert.doesNotMatch(required.stderr, /\n\s+at /, 'no stack trace');
});

test('a config with a misspelt field: exit 2, the file and the field named, nothing built is lost', async () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'model:\n  width_mul: 0.5\n');
  const r = await cli('onnx', '--config', bad);
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /bad\.yaml/);
  assert.match(r.stderr, /width_mul/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.ok(existsSync(join(artifacts, 'latest', 'model.opt.onnx')), "the earlier run's artifacts are still there");
});

test('an unknown command is a usage error (exit 2) that points at --help', async () => {
  const r = await cli('engins', '--config', 'configs/ci.yaml');
  assert.equal(r.exitCode, 2);
  assert.match(r.stderr, /--help/);
});

test('the commands and their options come from the registry: the help users have always had', async () => {
  const top = await cli('--help');
  assert.equal(top.exitCode, 0, top.stderr);
  const commands = [...top.stdout.matchAll(/^ {2}enginefoundry (\S+)/gm)].map((m) => m[1]);
  const names = [
    'run',
    'build',
    'validate',
    'optimize',
    'quantize',
    'onnx',
    'engines',
    'bench',
    'report',
    'graph',
    'plan',
    'cache',
  ];
  assert.deepEqual(commands, names);
  assert.match(top.stdout, /bench\s+benchmark every engine \(re-measured on each run\)/);
  assert.match(top.stdout, /engines\s+TensorRT and compiled PyTorch engines\n/);
  const options = async (...command: string[]) => (await cli(...command, '--help')).stdout;
  const bench = await options('bench');
  assert.match(
    bench,
    /--precision\s+leave out stages of the other precisions\s+\[string\] \[choices: "fp32", "fp16", "int8", "all"\]/,
  );
  assert.match(bench, /--baseline\s+an earlier bench\.json to compare with \(benchmark stage\)/);
  const plan = await options('plan');
  assert.match(plan, /--precision/);
  assert.doesNotMatch(plan, /--baseline/);
});

test('`enginefoundry …` as the README writes it works in this checkout (npx runs the package bin)', async () => {
  const readme = readFileSync(fromRoot('README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```sh\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n'));
  const bare = blocks.filter((l) => /^enginefoundry /.test(l));
  assert.deepEqual(bare, [], 'a bare `enginefoundry` is not a command in a checkout: write `npx enginefoundry`');
  assert.ok(
    blocks.some((l) => l.startsWith('npx enginefoundry ')),
    'the README shows the command',
  );
  const r = await exec(
    'npx',
    ['--no-install', 'enginefoundry', 'plan', '--config', 'configs/ci.yaml', '--artifacts', artifacts],
    {
      cwd: fromRoot(),
      timeoutMs: 120_000,
    },
  );
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /^stage\s+plan\s+key/);
});
