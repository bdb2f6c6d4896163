/**
 * engine:torch-fused:fp16: what enters its key, why it skips on this machine, that it needs Triton, and the
 * build's request and outputs. A GPU torch with Triton cannot be installed here, so the fake python of the
 * compiled engines (test/fixtures/bin/fake-torch-python.cjs, which checks its arguments and records each
 * request) stands in for it; the Triton kernels themselves run on the GPU machine (docs/benchmarks/).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../../pipeline/execute/exec.js';
import type { ToolFound } from '../../../pipeline/stage.js';
import { engineStage } from '../../../measure/engine-stage.js';
import { fusedBuild } from '../../../torch/fused-stage.js';
import { fromRoot } from '../../repo-root.js';
import { GPU, Rig, inputFiles } from '../engine-trt/rig.js';

const torchFusedFp16 = engineStage(fusedBuild, 'fp16');

const FAKE_PYTHON = fromRoot('test/fixtures/bin/fake-torch-python.cjs');
const GPU_BENCH = { bench: { batch_sizes: [1, 256], engines: ['torch-fused'], precisions: ['fp16'] } };

function fakeTorch(env: Record<string, string> = {}) {
  const rig = new Rig(['nvidia-smi'], { FAKE_GPU: GPU.h100, ...env });
  const calls = join(rig.root, 'torch-calls.ndjson');
  process.env.FAKE_TORCH_CALLS = calls;
  for (const k of ['FAKE_TORCH_BUILD', 'FAKE_TORCH_TRITON']) {
    if (k in env) process.env[k] = env[k];
    else delete process.env[k];
  }
  const requests = () =>
    existsSync(calls)
      ? readFileSync(calls, 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];
  return { rig, requests };
}

test('the key holds the batches and the GPU settings; a plan nothing would load is not probed', () => {
  const c = torchFusedFp16.config({ bench: { ...GPU_BENCH.bench, runs: 7, torch: { compile_mode: 'max-autotune' } } });
  assert.deepEqual(c, {
    precision: 'fp16',
    python: '',
    unused: '',
    batch_sizes: [1, 256],
    cudnn_benchmark: true,
    device: 'auto',
    timeout_s: 1800,
    inputs: {},
  });
  assert.match(
    torchFusedFp16.config({ bench: { engines: ['ort'] } }).unused,
    /^bench\.engines does not include torch-fused/,
  );
  const fp32 = torchFusedFp16.config({ bench: { ...GPU_BENCH.bench, precisions: ['fp32'] } });
  assert.equal(fp32.unused, 'bench.precisions does not include fp16: nothing would load this plan');
  assert.deepEqual(torchFusedFp16.tags, { precision: 'fp16', engine: 'torch-fused' });
});

test('on this machine (no GPU) it skips with one reason from the real Python', async () => {
  const c = torchFusedFp16.config(GPU_BENCH);
  const r = await torchFusedFp16.tools![0]!.probe(c, exec);
  assert.ok(!r.ok);
  assert.match(r.error.message, /^(needs torch >= 2\.7, found .*|an FP16 compiled engine needs a CUDA GPU: .*)$/);
  assert.doesNotMatch(r.error.message, /\n/);
});

test('a GPU torch without Triton is named; with Triton the fingerprint is the compiled engines’', async () => {
  fakeTorch({ FAKE_TORCH_TRITON: 'none' });
  const c = { ...torchFusedFp16.config(GPU_BENCH), python: FAKE_PYTHON };
  const none = await torchFusedFp16.tools![0]!.probe(c, exec);
  assert.deepEqual(none, {
    ok: false,
    error: { message: 'torch-fused runs Triton kernels, and torch 2.11.0+cu130 has no Triton' },
  });
  fakeTorch();
  const found = await torchFusedFp16.tools![0]!.probe(c, exec);
  assert.ok(found.ok);
  assert.equal(found.value.fingerprint.triton, '3.6.0');
  assert.equal(found.value.fingerprint.computeCapability, '9.0');
});

test('a build: the request names the fused engine and the batches; the plan and its manifest are stored', async () => {
  const { rig, requests } = fakeTorch();
  const c = { ...torchFusedFp16.config(GPU_BENCH), python: FAKE_PYTHON };
  const probe = await torchFusedFp16.tools![0]!.probe(c, exec);
  assert.ok(probe.ok);
  const model = rig.model('model.opt.onnx', 'N');
  const { ctx, outDir, workDir } = rig.context(c, { model, check_data: {} }, probe.value as ToolFound);
  ctx.tools = { 'torch-fused': probe.value };
  assert.deepEqual(await torchFusedFp16.run(ctx), { ok: true, value: undefined });
  assert.deepEqual(requests().at(-1), {
    graph: join(workDir, 'graph.json'),
    weights: join(workDir, 'weights.bin'),
    inputs: inputFiles(workDir, [1, 256]),
    batches: [1, 256],
    engine: 'fused',
    cudnnBenchmark: true,
    device: 'auto',
    out: join(outDir, 'engine'),
  });
  const plan = JSON.parse(readFileSync(join(outDir, 'engine'), 'utf8')) as { plan: { shape: number[] }[] };
  assert.deepEqual(
    plan.plan.map((p) => p.shape[0]),
    [1, 256],
  );
  const manifest = JSON.parse(readFileSync(join(outDir, 'manifest'), 'utf8')) as Record<string, unknown>;
  assert.equal(manifest.engine, 'torch-fused');
  assert.equal((manifest.fingerprint as Record<string, string>).triton, '3.6.0');
});
