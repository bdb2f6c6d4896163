/**
 * The compiled-engine file and its loader (torch/compile_cache.py): every unusable file is a reason
 * in the measurement's settings, never an exception inside torch; the compiled libraries it ships go back only
 * to a host with the builder's CPU and only inside inductor's cache directory; and the benchmark hands the engine
 * to the torch runner, which keeps going (Debian's torch 1.13 then skips torch.compile with its own reason).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPasses } from '../../onnx/rewrite/pass-manager.js';
import { encodeModel } from '../../onnx/serde.js';
import { exec } from '../../pipeline/execute/exec.js';
import { runBenchmark } from '../../stages/benchmark/run-bench.js';
import { defaults as modelDefaults } from '../../stages/build/config.js';
import { buildMobileNetV2 } from '../../stages/build/mobilenetv2.js';
import { defaults as optimizeDefaults } from '../../stages/optimize/config.js';
import { passesByName } from '../../stages/optimize/passes/index.js';
import { fromRoot } from '../repo-root.js';
import { systemTorch } from '../system-torch.js';
import { benchConfig, kitSections } from '../../stages/benchmark/kits.js';

test('the loader: a missing, cut, altered, foreign or other-torch file, a refusing torch: each a reason', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-cc-'));
  const run = await exec('/usr/bin/python3', [fromRoot('test/python/compile_cache_check.py'), dir]);
  assert.equal(run.exitCode, 0, run.stderr);
  const r = JSON.parse(run.stdout) as Record<string, { compileCache?: string; cacheLoadMs?: number } | unknown>;
  const reason = (k: string) => (r[k] as { compileCache: string }).compileCache;
  assert.equal(r.roundTrip, true);
  assert.match(reason('missing'), /^cannot read .*absent\.cache: No such file or directory$/);
  const damaged = 'is damaged: its payload does not match the sha256 in its header';
  assert.equal(reason('truncated'), `truncated.cache ${damaged} (253 of 260 bytes)`);
  assert.equal(reason('flipped'), `flipped.cache ${damaged} (260 of 260 bytes)`);
  assert.equal(reason('foreign'), 'foreign.cache is not a compiled-engine file (no EFTC1 header)');
  assert.equal(reason('header'), 'header.cache has an unreadable header');
  assert.match(reason('otherTorch'), /^the engine was built for torch 2\.11\.0\+cu130, this run has 1\.13/);
  assert.match(reason('realTorch'), /^torch 1\.13\S* has no torch\.compiler\.load_cache_artifacts$/);
  assert.equal(
    reason('refused'),
    'torch.compiler.load_cache_artifacts refused it: Unsupported cache artifact version 3',
  );
  assert.equal(reason('loaded'), 'loaded');
  assert.equal(typeof (r.loaded as { cacheLoadMs: number }).cacheLoadMs, 'number');
  // The payload reaches torch whole, once per process however many runs (batch sizes) compile.
  assert.deepEqual(r.loaderGot, [260]);
  assert.deepEqual(r.noRequest, {});
  assert.deepEqual(r.forRun, ['loaded', 'loaded', 3]);
  // The compiled libraries: back where inductor looks, only on the builder's CPU, only inside the directory.
  const kernels = { 'ab/cabc.main.so': '\x7fELF kernel one', 'cd/ccd.so': '\x7fELF kernel two, longer' };
  assert.deepEqual(r.binaries, [2, null, kernels]);
  assert.deepEqual(r.collected, Object.keys(kernels), "Triton's own folder is left out: its kernels are artifacts");
  const [none, why] = r.binariesOtherCpu as [number, string];
  assert.equal(none, 0);
  assert.match(
    why,
    /^built on another CPU \(flags 0{12}\), this host is .+ \(flags [0-9a-f]{12}\): compiling them here$/,
  );
  assert.deepEqual(r.binariesEscape, [
    0,
    'the engine names a library outside the cache directory (../outside.so): none used',
    {},
  ]);
  assert.deepEqual(r.binariesNone, [0, 'the engine ships no compiled libraries', {}]);
  assert.equal((r.loadedWithBinaries as { compileBinaries: number }).compileBinaries, 2);
  assert.equal(r.artifactsOnly, 260, 'torch is given the artifacts, not the libraries after them');
});

test('the benchmark hands the runner the engine and a fresh cache dir; a bad engine breaks nothing', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-cc-bench-'));
  const model = join(dir, 'model.opt.onnx');
  const raw = buildMobileNetV2({ ...modelDefaults, width_mult: 0.25, input_size: 32, num_classes: 10 });
  await writeFile(model, encodeModel(runPasses(raw, await passesByName(optimizeDefaults.passes)).model));
  const engine = join(dir, 'torch-compile.fp32.cache');
  await writeFile(engine, 'EFTC1\n{"torch": "2.11.0"}\nnot what the header says');
  const config = benchConfig({
    bench: {
      warmup: 1,
      runs: 3,
      batch_sizes: [1],
      engines: ['torch-eager', 'torch-compile'],
      precisions: ['fp32'],
      python: '/usr/bin/python3',
    },
  });
  const log = { info: () => undefined, warn: () => undefined };
  const artifacts = { model, source: model, built: { compiled: { fp32: engine } } };
  const r = await runBenchmark({ config, ...kitSections({}), artifacts, workDir: join(dir, 'w'), exec, log });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(
    r.value.measurements.map((m) => m.engine),
    ['torch-eager'],
  );
  const reason = `torch.compile needs torch >= 2 (found ${systemTorch().version})`;
  assert.deepEqual(r.value.skipped, [{ engine: 'torch-compile', precision: 'fp32', kind: 'tool-unavailable', reason }]);
  assert.ok(existsSync(join(dir, 'w', 'torch', 'inductor')), "the runner isolated inductor's cache directory");
});
