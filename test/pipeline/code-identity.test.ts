import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { closureDigest, graphFromMetafile, type Metafile } from '../../pipeline/plan/code-identity.js';
import { KIT_FOLDERS } from '../kit-folders.js';
import { repoRoot } from '../repo-root.js';
import { cli, manifest, project } from './toy.js';

test("a module graph: a stage's digest moves with its modules, their imports, package versions; nothing else", () => {
  const meta: Metafile = {
    inputs: {
      'dist/stages/opt/index.js': { imports: [{ path: 'dist/pipeline/stage.js' }, { path: 'dist/stages/opt/run.js' }] },
      'dist/stages/opt/run.js': {
        imports: [
          { path: 'dist/onnx/ir.js' },
          { path: 'onnxruntime-node', external: true },
          { path: 'node:fs', external: true },
        ],
      },
      'dist/stages/build/index.js': { imports: [{ path: 'dist/pipeline/stage.js' }, { path: 'dist/onnx/ir.js' }] },
      'dist/onnx/ir.js': { imports: [{ path: 'node_modules/yaml/dist/index.js' }] },
      'dist/pipeline/stage.js': { imports: [] },
      'node_modules/yaml/dist/index.js': { imports: [{ path: 'path', external: true }] },
    },
  };
  const digests = (bytes: Record<string, string>, versions: Record<string, string>) => {
    const graph = graphFromMetafile(
      meta,
      (p) => bytes[p] ?? `bytes of ${p}`,
      (pkg) => versions[pkg] ?? '1.0.0',
    );
    return {
      opt: closureDigest(graph, 'dist/stages/opt/index.js'),
      build: closureDigest(graph, 'dist/stages/build/index.js'),
    };
  };
  const base = digests({}, {});
  assert.deepEqual(digests({}, {}), base, 'deterministic');
  const pass = digests({ 'dist/stages/opt/run.js': 'a changed pass' }, {});
  assert.notEqual(pass.opt, base.opt);
  assert.equal(pass.build, base.build);
  const shared = digests({ 'dist/onnx/ir.js': 'a changed toolkit module' }, {});
  assert.notEqual(shared.opt, base.opt);
  assert.notEqual(shared.build, base.build);
  const ort = digests({}, { 'onnxruntime-node': '1.31.0' });
  assert.notEqual(ort.opt, base.opt, 'onnxruntime moves the stage that imports it');
  assert.equal(ort.build, base.build, 'and no other');
  const yaml = digests({}, { yaml: '3.0.0' });
  assert.notEqual(yaml.build, base.build);
});

test('the real bundle, rebuilt in a copy: a pass, a runner, a build move their stages only; a typo nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-code-'));
  // The compiled sources the bundle reads: the layers of docs/architecture.md, every kit's folder among them.
  for (const part of ['main.js', 'pipeline', 'stages', 'onnx', 'source', 'measure', ...KIT_FOLDERS])
    cpSync(join(repoRoot, 'dist', part), join(dir, 'dist', part), { recursive: true });
  mkdirSync(join(dir, 'scripts'));
  cpSync(join(repoRoot, 'scripts', 'bundle.mjs'), join(dir, 'scripts', 'bundle.mjs'));
  cpSync(join(repoRoot, 'README.md'), join(dir, 'README.md'));
  // Stage modules find their Python and data files from the checkout root when they load; the torch kit knows
  // that root (where .venv is made) by its requirements.txt.
  cpSync(join(repoRoot, 'requirements.txt'), join(dir, 'requirements.txt'));
  for (const part of ['stages', ...KIT_FOLDERS]) cpSync(join(repoRoot, part), join(dir, part), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
  const identity = () => {
    execFileSync(process.execPath, ['scripts/bundle.mjs'], { cwd: dir, stdio: 'pipe' });
    return (
      JSON.parse(readFileSync(join(dir, 'dist', 'code-identity.json'), 'utf8')) as { stages: Record<string, string> }
    ).stages;
  };
  const before = identity();
  for (const stage of ['build', 'validate', 'optimize', 'convert:fp16', 'benchmark', 'report'])
    assert.ok(before[stage], stage);
  appendFileSync(join(dir, 'README.md'), '\nA typo: teh.\n');
  assert.deepEqual(identity(), before);
  let last = before;
  const moved = (change: string) => {
    appendFileSync(join(dir, 'dist', change), '\nexport const changed = 1;\n');
    const was = last;
    last = identity();
    return Object.keys(was).filter((s) => was[s] !== last[s]);
  };
  assert.deepEqual(moved('stages/optimize/passes/relu6-to-clip.js'), ['optimize']);
  // An engine stage's code is its kit's build, not the kit's runner: timing differently rebuilds no engine.
  assert.deepEqual(moved('trt/measure.js'), ['benchmark']);
  assert.deepEqual(moved('torch/build-aoti.js'), ['engine:torch-aoti:fp32', 'engine:torch-aoti:fp16', 'benchmark']);
});

test('a stage whose code changed misses, --explain says so, and consumers of identical bytes stay cached', async () => {
  const p = project();
  const code = (upper: string) => ({
    TOY_CODE: JSON.stringify({ source: 's'.repeat(64), upper, 'toy:join': 'j'.repeat(64) }),
  });
  assert.equal((await cli(p, ['join'], code('a'.repeat(64)))).code, 0);
  p.takeRuns();
  const r = await cli(p, ['join', '--explain'], code('b'.repeat(64)));
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(p.takeRuns(), ['upper']);
  const miss = r.records.find((x) => x['stage'] === 'upper' && x['status'] === 'running');
  assert.deepEqual(miss?.['explain'], ['code of stage upper changed']);
  assert.equal(manifest(p).stages['toy:join']?.status, 'cached');
});
