/**
 * engine:torch-compile:*: what enters the key, why it skips here (Debian's torch 1.13, no GPU), the fingerprint
 * a capable torch gives, and the build's outputs and failures. torch >= 2.7 cannot be installed on this machine,
 * so a fake python (test/fixtures/bin/fake-torch-python.cjs) that checks its arguments and records each request
 * stands in for it; nvidia-smi is the fake the TensorRT tests use.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec, type Exec } from '../../../pipeline/execute/exec.js';
import { probeMemo } from '../../../pipeline/plan/probe-memo.js';
import type { ToolFound } from '../../../pipeline/stage.js';
import { compileBuild, compileEngineConfig, type CompileEngineConfig } from '../../../torch/engine-stage.js';
import { engineStage } from '../../../measure/engine-stage.js';
import { codeHash, probeTorchCompile } from '../../../torch/probe.js';
import { projectPython } from '../../python.js';
import { fromRoot } from '../../repo-root.js';
import { escapeRegExp, systemTorch } from '../../system-torch.js';
import { GPU, Rig, inputFiles } from '../engine-trt/rig.js';
import { readCheckData, tensorFeed } from '../../../onnx/inputs/index.js';
import { readModelFile } from '../../../onnx/serde.js';
import { realModels } from '../../corpus/models.js';

const torchCompileFp32 = engineStage(compileBuild, 'fp32');
const torchCompileFp16 = engineStage(compileBuild, 'fp16');

const FAKE_PYTHON = fromRoot('test/fixtures/bin/fake-torch-python.cjs');
const torchVersion = escapeRegExp(systemTorch().version);
const GPU_BENCH = { bench: { batch_sizes: [1, 256], engines: ['torch-compile'], precisions: ['fp32', 'fp16'] } };

function fakeTorch(env: Record<string, string> = {}, tools: 'nvidia-smi'[] = ['nvidia-smi']) {
  const rig = new Rig(tools, { FAKE_GPU: GPU.h100, ...env });
  process.env.FAKE_TORCH_CALLS = join(rig.root, 'torch-calls.ndjson');
  for (const k of ['FAKE_TORCH_BUILD', 'FAKE_TORCH_VERSION', 'FAKE_TORCH_CUDA']) if (!(k in env)) delete process.env[k];
  const calls = process.env.FAKE_TORCH_CALLS;
  const requests = () =>
    existsSync(calls)
      ? readFileSync(calls, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  return { rig, requests };
}

const config = (
  precision: 'fp32' | 'fp16',
  root: Record<string, unknown>,
  python = FAKE_PYTHON,
): CompileEngineConfig => ({ ...compileEngineConfig(precision, root), python });

test('the key holds what changes the compiled code, taken from the bench section; timing settings stay out', () => {
  const bench = { batch_sizes: [1, 256], runs: 7, warmup: 3, torch: { compile_mode: 'max-autotune' } };
  const c = torchCompileFp16.config({ bench });
  assert.deepEqual(c, {
    precision: 'fp16',
    python: '',
    unused: '',
    batch_sizes: [1, 256],
    channels_last: true,
    compile_mode: 'max-autotune',
    tf32: false,
    cudnn_benchmark: true,
    device: 'auto',
    timeout_s: 1800,
    inputs: {},
  });
  const dims = torchCompileFp16.config({ bench, model: { dims: { N: 4 } } });
  assert.deepEqual(dims.inputs, { dims: { N: 4 } }, "the model's input fields: a change of dims changes the key");
  const a = torchCompileFp32.config({ bench: { ...GPU_BENCH.bench, runs: 10 } });
  const b = torchCompileFp32.config({ bench: { ...GPU_BENCH.bench, runs: 500, warmup: 50, ort: { level: 'basic' } } });
  assert.deepEqual(a, b);
  assert.equal(a.unused, '');
  const fp32Only = torchCompileFp16.config({ bench: { ...GPU_BENCH.bench, precisions: ['fp32'] } });
  assert.match(fp32Only.unused, /bench\.precisions does not include fp16/);
  const ortOnly = torchCompileFp32.config({ bench: { engines: ['ort'] } });
  assert.match(ortOnly.unused, /^bench\.engines does not include torch-compile/);
  assert.deepEqual(torchCompileFp16.outputs, {
    engine: 'torch-compile.fp16.cache',
    manifest: 'torch-compile.fp16.json',
  });
});

test('on this machine (a torch before 2.7, no GPU) both stages skip, saying which torch they found', async () => {
  for (const stage of [torchCompileFp32, torchCompileFp16]) {
    const c = { ...stage.config(GPU_BENCH), python: '/usr/bin/python3' };
    const r = await stage.tools![0]!.probe(c, exec);
    assert.ok(!r.ok);
    assert.match(
      r.error.message,
      /^needs torch >= 2\.7, found [^:]+: compiled engines are torch\.compiler\.save_cache_artifacts/,
    );
    assert.match(r.error.message, new RegExp(`, found ${torchVersion}: .* \\(/usr/bin/python3\\)$`));
  }
  const missing = await probeTorchCompile({ python: '/nonexistent/python3', precision: 'fp32', unused: '' }, exec);
  assert.ok(!missing.ok);
  assert.match(missing.error.message, /^compiled PyTorch engines skipped: \/nonexistent\/python3 cannot be started /);
  assert.match(missing.error.message, / \(fix bench\.python\)$/);
});

test('a capable torch: the fingerprint names torch, Triton, CUDA, GPU, compute capability and the code', async () => {
  const { requests } = fakeTorch();
  const r = await probeTorchCompile({ python: FAKE_PYTHON, precision: 'fp16', unused: '' }, exec);
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(r.value, {
    command: [FAKE_PYTHON, fromRoot('torch/torch_engine.py')],
    fingerprint: {
      torch: '2.11.0+cu130',
      triton: '3.6.0',
      cuda: '13.0',
      gpu: 'NVIDIA H100 PCIe',
      computeCapability: '9.0',
      code: codeHash(),
    },
  });
  assert.match(codeHash(), /^[0-9a-f]{16}$/);
  assert.deepEqual(requests(), [{ probe: true }]);
});

test('FP16 needs a GPU; an old torch is named; an engine nothing would load is not probed', async (t) => {
  await t.test('no nvidia-smi', async () => {
    fakeTorch({}, []);
    const r = await probeTorchCompile({ python: FAKE_PYTHON, precision: 'fp16', unused: '' }, exec);
    assert.ok(!r.ok);
    assert.match(
      r.error.message,
      /^an FP16 compiled engine needs a CUDA GPU: no NVIDIA GPU found: nvidia-smi is not on PATH/,
    );
    const fp32 = await probeTorchCompile({ python: FAKE_PYTHON, precision: 'fp32', unused: '' }, exec);
    assert.ok(fp32.ok);
    assert.equal(fp32.value.fingerprint.gpu, 'none');
  });
  await t.test('torch 2.5', async () => {
    fakeTorch({ FAKE_TORCH_VERSION: '2.5.1+cu124' });
    const r = await probeTorchCompile({ python: FAKE_PYTHON, precision: 'fp32', unused: '' }, exec);
    assert.ok(!r.ok);
    assert.match(r.error.message, /found 2\.5\.1\+cu124: /);
  });
  await t.test('unused', async () => {
    const { requests } = fakeTorch();
    const unused = 'bench.engines does not include torch-compile';
    const r = await probeTorchCompile({ python: FAKE_PYTHON, precision: 'fp32', unused }, exec);
    assert.deepEqual(r, { ok: false, error: { message: unused } });
    assert.deepEqual(requests(), []);
  });
});

async function build(env: Record<string, string>) {
  const { rig, requests } = fakeTorch(env);
  const c = config('fp16', GPU_BENCH);
  const probe = await probeTorchCompile(c, exec);
  assert.ok(probe.ok);
  const model = rig.model('model.opt.onnx', 'N');
  const { ctx, outDir, workDir, messages } = rig.context(c, { model, check_data: {} }, probe.value as ToolFound);
  ctx.tools = { 'torch-compile': probe.value };
  return { r: await torchCompileFp16.run(ctx), outDir, workDir, messages, requests };
}

test('a build: the request the compiler gets, the engine file and its manifest', async () => {
  const { r, outDir, workDir, requests } = await build({});
  assert.deepEqual(r, { ok: true, value: undefined });
  const request = requests().at(-1)!;
  assert.deepEqual(request, {
    graph: join(workDir, 'graph.json'),
    weights: join(workDir, 'weights.bin'),
    inputs: inputFiles(workDir, [1, 256]),
    precision: 'fp16',
    batches: [1, 256],
    channelsLast: true,
    compileMode: '',
    tf32: false,
    cudnnBenchmark: true,
    device: 'auto',
    inductorCacheDir: join(workDir, 'inductor'),
    out: join(outDir, 'engine'),
  });
  const engine = readFileSync(join(outDir, 'engine'), 'latin1');
  assert.match(engine, /^EFTC1\n\{.*"precision":"fp16".*\}\nportable cache artifacts$/);
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(manifest.batches, [1, 256]);
  assert.equal((manifest.fingerprint as Record<string, string>).gpu, 'NVIDIA H100 PCIe');
  assert.equal(manifest.engineBytes, readFileSync(join(outDir, 'engine')).length);
});

test("PP-OCR's named dimensions: the build gets the benchmark's inputs, at model.dims and the check data", async () => {
  const { rig, requests } = fakeTorch();
  const [cls] = realModels('ppocr_mobile_v2_cls');
  const checkData = fromRoot('configs/examples/data/ppocr_mobile_v2_cls/test_data_set_1');
  const model = { path: cls!.file, dims: { 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 } };
  const root = { model: { ...model, check_data: checkData }, bench: { batch_sizes: [1, 32], precisions: ['fp32'] } };
  const c = config('fp32', root);
  assert.deepEqual(c.inputs, { dims: model.dims });
  const files = await torchCompileFp32.files!(root);
  assert.ok(files.ok);
  const probe = await probeTorchCompile(c, exec);
  assert.ok(probe.ok);
  const { ctx, workDir } = rig.context(c, { model: cls!.file, ...files.value }, probe.value as ToolFound);
  ctx.tools = { 'torch-compile': probe.value };
  assert.deepEqual(await torchCompileFp32.run(ctx), { ok: true, value: undefined });
  const inputs = requests().at(-1)!['inputs'] as Record<string, { name: string; dims: number[]; file: string }[]>;
  assert.deepEqual(
    Object.entries(inputs).map(([b, [x]]) => [b, x!.name, x!.dims]),
    [
      ['1', 'x', [1, 3, 48, 192]],
      ['32', 'x', [32, 3, 48, 192]],
    ],
  );
  assert.ok(inputs['1']![0]!.file.startsWith(workDir));
  // Batch 32 is the check data's: its 32 rendered text lines, as the benchmark feeds them.
  const decoded = await readModelFile(cls!.file);
  assert.ok(decoded.ok);
  const read = await readCheckData(files.value.check_data, decoded.value);
  assert.ok(read.ok);
  const feed = tensorFeed(read.value.inputs.get('x')!);
  assert.ok(feed.ok);
  const data = feed.value.data as Float32Array;
  assert.deepEqual(readFileSync(inputs['32']![0]!.file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
});

test("a failed build is one message: the compiler's reason, a crash with its signal, no reply", async () => {
  const fail = await build({ FAKE_TORCH_BUILD: 'fail' });
  const message = 'torch.compile failed at batch 256: out of memory';
  assert.deepEqual(fail.r, { ok: false, error: { cause: 'tool-failed', message, details: undefined } });
  const crash = await build({ FAKE_TORCH_BUILD: 'crash' });
  assert.ok(!crash.r.ok);
  assert.match(crash.r.error.message, /^.*torch_engine\.py exited SIGSEGV without a reply$/);
  const garbage = await build({ FAKE_TORCH_BUILD: 'garbage' });
  assert.ok(!garbage.r.ok);
  assert.match(garbage.r.error.message, /exited 1 without a reply$/);
  assert.deepEqual(garbage.r.error.details, ['RuntimeError: CUDA error: an illegal memory access']);
  assert.ok(!existsSync(join(garbage.outDir, 'manifest')));
});

test('the Python search is remembered across runs and searched again when a python3 appears on PATH', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-python-'));
  const path = process.env['PATH'];
  t.after(() => {
    process.env['PATH'] = path;
    rmSync(dir, { recursive: true, force: true });
  });
  // A PATH whose python3 is Debian's (torch 1.13): the folder this test controls, then /bin.
  process.env['PATH'] = `${join(dir, 'bin')}:/bin`;
  const file = join(dir, 'probes.json');
  let started = 0;
  const counting: Exec = (command, args, options) => {
    started += 1;
    return exec(command, args, options);
  };
  const probe = () =>
    probeTorchCompile({ python: 'python3', precision: 'fp32', unused: '' }, counting, probeMemo(file));
  const first = await probe();
  assert.ok(!first.ok);
  assert.match(first.error.message, /found 1\.13[^:]*: .* \(python3\)$/);
  assert.ok(started >= 1);
  const kept = Object.keys(JSON.parse(readFileSync(file, 'utf8')).entries['torch-compile python python3'].files);
  assert.ok(kept.includes('/usr/lib/python3/dist-packages/torch/version.py'), kept.join(' '));
  assert.ok(kept.includes(join(dir, 'bin', 'python3')), 'the PATH lookup, absent then');

  started = 0;
  assert.deepEqual(await probe(), first);
  assert.equal(started, 0, 'a second run starts no Python');

  // The project's Python (torch 2.13) behind a script: a venv's interpreter finds its packages by its own path.
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'python3'), `#!/bin/sh\nexec ${projectPython} "$@"\n`, { mode: 0o755 });
  const again = await probe();
  assert.ok(started >= 1, 'a new python3 first on PATH is asked');
  assert.ok(again.ok, again.ok ? '' : again.error.message);
  assert.match(String(again.value.fingerprint['torch']), /^2\.13\./);
});
