/**
 * Careless and hostile runs (issues 12 and 14): bad options, a damaged `--baseline`, an `--artifacts` that is a
 * file, a `latest/` that is not ours, Make variables with spaces and `;`. Each is one line and its exit code,
 * found before anything is built or measured; and the CLI's own surface: --version, per-command help, --json.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { fromRoot } from '../repo-root.js';
import { cli, refused, scratch } from './hostile-kit.js';

test("usage mistakes: a value-less --precision, a typo in a command or option, another command's option", async () => {
  const s = scratch();
  await refused(s, ['plan', '--config', s.config, '--precision'], 2, /--precision needs a value/);
  await refused(
    s,
    ['plan', '--config', s.config, '--precision', 'fp8'],
    2,
    /--precision fp8: must be one of fp32, fp16, int8, all/,
  );
  await refused(s, ['engins', '--config', s.config], 2, /unknown command engins \(did you mean engines\?\)/);
  await refused(
    s,
    ['plan', '--config', s.config, '--requir', 'trtexec'],
    2,
    /unknown option --requir \(did you mean --require\?\)/,
  );
  await refused(s, ['cache', 'ls', '--baseline', 'x.json'], 2, /--baseline is not an option of this command/);
  await refused(
    s,
    ['plan', '--config', s.config, '--require', 'pytorch'],
    2,
    new RegExp(
      String.raw`--require pytorch: no stage uses a tool of that name \(did you mean torch\?\); ` +
        String.raw`tools: (?=.*\btrtexec\b)(?=.*\bdot\b)(?=.*\bpython\b)`,
    ),
  );
});

test('a repeatable option takes one value, so --set before the command does not swallow it', async () => {
  const s = scratch();
  const r = await cli(s, ['--set', 'bench.runs=3', '--set', 'bench.warmup=1', 'plan', '--config', s.config, '--json']);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.ok((JSON.parse(r.stdout) as { stages: unknown[] }).stages.length > 0);
});

test('--require accepts every tool the stages probe: torch and python are probed before anything runs', async () => {
  const s = scratch();
  const args = ['onnx', '--config', s.config, '--require', 'python', '--set', 'bench.python=/nonexistent/python3'];
  await refused(s, args, 1, /python is required \(--require\) but unavailable: .*\/nonexistent\/python3/);
  assert.ok(!existsSync(s.artifacts), 'nothing was built');
});

test('a damaged --baseline is refused before anything is built or measured', async () => {
  const s = scratch();
  const bad = join(s.dir, 'old.json');
  const measurement = { engine: 'ort', precision: 'fp32', batch: 1, artifact: 'm.onnx', settings: null };
  writeFileSync(bad, JSON.stringify({ schema: 1, measurements: [measurement] }));
  await refused(
    s,
    ['bench', '--config', s.config, '--baseline', bad],
    2,
    /--baseline: .*old\.json: measurements\[0\] has no settings object/,
  );
  writeFileSync(bad, '{"schema": 1, "measurements": [');
  await refused(s, ['bench', '--config', s.config, '--baseline', bad], 2, /--baseline: .*old\.json is not JSON/);
  assert.ok(!existsSync(s.artifacts), 'nothing was built or measured');
});

test('--artifacts naming a file, and a latest/ this tool did not make, stop the run before it starts', async () => {
  const s = scratch();
  writeFileSync(join(s.dir, 'store.txt'), 'mine');
  await refused(
    s,
    ['build', '--config', s.config, '--artifacts', 'store.txt'],
    2,
    new RegExp(
      String.raw`^error: --artifacts store\.txt: store\.txt/store/tmp: a file stands where a folder is needed; ` +
        String.raw`move the file.*\(ENOTDIR\)`,
    ),
  );
  // A latest/ restored as a real folder holds the user's files: kept, and the run says what to do.
  mkdirSync(join(s.artifacts, 'latest'), { recursive: true });
  writeFileSync(join(s.artifacts, 'latest', 'report.md'), 'restored from CI');
  await refused(
    s,
    ['build', '--config', s.config, '--artifacts', 'artifacts'],
    2,
    /^error: artifacts\/latest is a folder, not the link this tool makes; move it away/,
  );
  assert.equal(readFileSync(join(s.artifacts, 'latest', 'report.md'), 'utf8'), 'restored from CI');
});

test('make passes CONFIG, PRECISION and ARGS quoted: a space and a ";" stay in the file name', async () => {
  const s = scratch();
  const odd = join(s.dir, 'my configs', 'ci;touch pwned.yaml');
  mkdirSync(join(s.dir, 'my configs'));
  writeFileSync(odd, readFileSync(s.config));
  // -o: make must neither reinstall packages nor recompile here; what is tested is how the recipe passes variables.
  const make = (...vars: string[]) =>
    exec('make', ['-s', '-o', 'node_modules/.package-lock.json', '-o', 'dist/.built', 'plan', ...vars], {
      cwd: fromRoot(),
    });
  const r = await make(`CONFIG=${odd}`, `ARGS=--json --artifacts ${s.artifacts}`);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { config: string }).config, odd);
  assert.ok(!existsSync(fromRoot('pwned')) && !existsSync(join(s.dir, 'pwned')), 'the ; ran nothing');
  const p = await make(`CONFIG=${odd}`, 'PRECISION=fp8');
  assert.equal(p.exitCode, 2);
  assert.match(p.stderr, /--precision fp8: must be one of/);
  // Without -s, make echoes the command it runs with its values (quoted as a shell reads them), not the recipe.
  const echoed = await exec(
    'make',
    // --no-print-directory: under `make test` this make is a sub-make, which would announce its directory first.
    [
      '--no-print-directory',
      '-o',
      'node_modules/.package-lock.json',
      '-o',
      'dist/.built',
      'plan',
      `CONFIG=${odd}`,
      'PRECISION=fp16',
    ],
    { cwd: fromRoot(), env: { ARGS: `--artifacts ${s.artifacts}` } },
  );
  assert.equal(echoed.exitCode, 0, echoed.stderr);
  const quoted = odd.replaceAll(' ', '\\ ').replaceAll(';', '\\;');
  assert.equal(
    echoed.stdout.split('\n')[0],
    `node pipeline.mjs plan --config ${quoted} --precision fp16 --artifacts ${s.artifacts}`,
  );
});

test("--version, and help that lists only the command's own options", async () => {
  const s = scratch();
  const v = await cli(s, ['--version']);
  const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { version: string };
  assert.equal(v.stdout.trim(), pkg.version);
  const help = await cli(s, ['cache', 'ls', '--help']);
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /--artifacts/);
  for (const other of ['--baseline', '--set', '--precision', '--explain']) {
    assert.doesNotMatch(help.stdout, new RegExp(other));
  }
  assert.match((await cli(s, ['bench', '--help'])).stdout, /--set[\s\S]*--baseline/);
  const engines = (await cli(s, ['engines', '--help'])).stdout;
  assert.match(engines, /--precision/);
  assert.doesNotMatch(engines, /--baseline/, 'engines measures nothing a baseline could gate');
});

test('--json: the run summary and per-stage results on stdout, logs on stderr; each skip said once', async () => {
  const s = scratch();
  const r = await cli(s, ['engines', '--config', s.config, '--json', '--artifacts', s.artifacts]);
  assert.equal(r.exitCode, 0, r.stderr);
  type Stage = { stage: string; status: string; reason?: string; inapplicable?: boolean };
  const out = JSON.parse(r.stdout) as { exitCode: number; summary: Record<string, number>; stages: Stage[] };
  assert.equal(out.exitCode, 0);
  // Built: the five ONNX stages (build, validate, optimize, FP16, INT8); skipped: every engine stage this machine
  // cannot build (no GPU here).
  assert.deepEqual({ ...out.summary, skipped: 0 }, { built: 5, cached: 0, skipped: 0, failed: 0 });
  const built = out.stages.filter((x) => x.status === 'built').map((x) => x.stage);
  assert.deepEqual(built, ['build', 'validate', 'optimize', 'convert:fp16', 'quantize:int8']);
  // A stage that does not apply to this config (import, when the model is built) is listed but not counted.
  const counted = out.stages.filter((x) => x.status === 'skipped' && !x.inapplicable);
  assert.equal(out.summary['skipped'], counted.length);
  assert.deepEqual(
    out.stages.filter((x) => x.inapplicable).map((x) => x.stage),
    ['import'],
  );
  const trt = out.stages.find((x) => x.stage === 'engine:trt:fp32');
  assert.equal(trt?.status, 'skipped');
  assert.match(trt?.reason ?? '', /^trtexec unavailable: /);
  const records = r.stderr
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const skips = records.filter((x) => x['stage'] === 'engine:trt:fp32' && x['status'] === 'skipped');
  assert.equal(skips.length, 1, 'the skip is said once');
  // The terminal's short form: the reason's leading clauses within one short line (the full one is in `reason`).
  const msg = String(skips[0]?.['msg']);
  assert.ok(msg.startsWith('trtexec unavailable') && msg.length <= 72 && trt?.reason?.startsWith(msg), msg);
});
