/**
 * Benchmarking and running an engine through (fake) trtexec: the exact argv, the measurement built from a
 * real --exportTimes file and a summary in trtexec's format, and the checks that refuse bad input.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import type { ToolFound } from '../../pipeline/stage.js';
import { benchmarkTrtEngine, runTrtEngineOnce } from '../../trt/runner.js';
import { defaults } from '../../trt/config.js';
import { probeTrtexec } from '../../trt/probe.js';
import { DType } from '../../onnx/ir.js';
import { normalFloats } from '../../onnx/random.js';
import type { TrtInputs } from '../../trt/model-input.js';
import { GPU, LOG, AUTHORED_LOGS, Rig } from '../stages/engine-trt/rig.js';

const dynamic: TrtInputs = {
  inputs: [{ name: 'input', dtype: DType.FLOAT, dims: ['batch', 3, 8, 8], shaped: true }],
  batched: true,
};

async function setup(env: Record<string, string> = {}) {
  const rig = new Rig(['trtexec', 'nvidia-smi'], {
    FAKE_TRT_LOG: LOG.bench,
    FAKE_GPU: GPU.ada,
    FAKE_TRT_TIMES: LOG.times,
    ...env,
  });
  const probe = await probeTrtexec({ trtexec: '', docker: defaults.docker }, exec);
  assert.ok(probe.ok);
  const enginePath = join(rig.root, 'model.fp16.engine');
  writeFileSync(enginePath, 'fake engine');
  return { rig, tool: probe.value as ToolFound, enginePath };
}

test('dynamic engine at batch 4: exact argv; samples are exported latencyMs; throughput = qps × batch', async () => {
  const { rig, tool, enginePath } = await setup();
  const r = await benchmarkTrtEngine({
    tool,
    enginePath,
    inputs: dynamic,
    batch: 4,
    precision: 'fp16',
    settings: defaults.bench,
    workDir: rig.root,
    exec,
  });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(rig.calls('trtexec').at(-1)!.argv, [
    `--loadEngine=${enginePath}`,
    '--shapes=input:4x3x8x8',
    '--warmUp=200',
    '--duration=3',
    '--iterations=100',
    '--useCudaGraph',
    '--useSpinWait',
    `--exportTimes=${join(rig.root, 'trt-fp16-b4.times.json')}`,
  ]);
  const m = r.value.measurement;
  const real = (JSON.parse(readFileSync(LOG.times, 'utf8')) as { latencyMs: number }[]).map((t) => t.latencyMs);
  assert.deepEqual(m.samplesMs, real);
  assert.equal(m.throughput, 242.718 * 4);
  assert.equal(m.engine, 'trt');
  assert.equal(m.precision, 'fp16');
  assert.equal(m.batch, 4);
  assert.equal(m.artifact, 'model.fp16.engine');
  assert.equal(m.device, 'NVIDIA RTX 6000 Ada Generation');
  assert.equal(m.warmup, 48);
  assert.deepEqual(
    { min: m.stats.min, max: m.stats.max, p50: m.stats.p50, p90: m.stats.p90, n: m.stats.n },
    { min: 4.08269, max: 4.13491, p50: 4.08678, p90: 4.09088, n: 10 },
  );
  assert.equal(m.settings.gpuComputeMeanMs, 4.0917);
  assert.equal(m.settings.tensorrt, '10.16.0');
  assert.equal(r.value.summary.throughputQps, 242.718);
});

test('profile asked for: a separate profiled run, so the summary and times survive', async () => {
  const { rig, tool, enginePath } = await setup();
  const r = await benchmarkTrtEngine({
    tool,
    enginePath,
    inputs: dynamic,
    batch: 4,
    precision: 'fp16',
    settings: { ...defaults.bench, profile: true, cuda_graph: false, no_data_transfers: true },
    workDir: rig.root,
    exec,
  });
  assert.ok(r.ok);
  const argv = rig.calls('trtexec').at(-1)!.argv;
  assert.deepEqual(argv.slice(5), [
    '--noDataTransfers',
    '--useSpinWait',
    `--exportTimes=${join(rig.root, 'trt-fp16-b4.times.json')}`,
    '--separateProfileRun',
    '--dumpProfile',
    `--exportProfile=${join(rig.root, 'trt-fp16-b4.profile.json')}`,
  ]);
  assert.equal(r.value.profilePath, join(rig.root, 'trt-fp16-b4.profile.json'));
});

test('refusals: a static engine at another batch, times unlike the summary, an engine from TensorRT 8', async () => {
  const { rig, tool, enginePath } = await setup();
  const base = {
    tool,
    enginePath,
    batch: 4,
    precision: 'fp32' as const,
    settings: defaults.bench,
    workDir: rig.root,
    exec,
  };
  const st = await benchmarkTrtEngine({
    ...base,
    inputs: {
      inputs: [{ name: 'input', dtype: DType.FLOAT, dims: [1, 3, 8, 8], shaped: false }],
      batched: false,
      fixedBatch: 1,
    },
  });
  assert.ok(!st.ok);
  assert.match(st.error.message, /^model\.fp16\.engine was built for a fixed batch of 1 and cannot run batch 4/);
  assert.equal(rig.calls('trtexec').length, 1, 'nothing run for a refused batch (only the probe ran)');

  const other = join(rig.root, 'other.times.json');
  writeFileSync(other, JSON.stringify(real10().map((v) => ({ latencyMs: v * 2 }))));
  process.env.FAKE_TRT_TIMES = other;
  const stale = await benchmarkTrtEngine({ ...base, inputs: dynamic });
  assert.ok(!stale.ok);
  assert.match(
    stale.error.message,
    /do not match trtexec's own summary \(min 8\.16538 ms from the samples, 4\.08269 ms in the summary\)/,
  );

  process.env.FAKE_TRT_LOG = join(AUTHORED_LOGS, 'trt-10.3.0-engine-version-mismatch.authored.log');
  const old = await benchmarkTrtEngine({ ...base, inputs: dynamic });
  assert.ok(!old.ok);
  assert.match(
    old.error.message,
    /the engine file cannot be loaded by this TensorRT; engines only load in the TensorRT version that built them/,
  );
  assert.ok(old.error.details!.some((d) => d.includes('expecting library version 10.3.0.26 got 8.6.1.6')));
});

test('runTrtEngineOnce: seeded input reaches trtexec as raw float32, the exported output is read back', async () => {
  const { rig, tool, enginePath } = await setup();
  const data = Float32Array.from(normalFloats(2 * 3 * 8 * 8, 7));
  const r = await runTrtEngineOnce({
    tool,
    enginePath,
    inputs: dynamic,
    batch: 2,
    workDir: rig.root,
    exec,
    feeds: { input: { type: 'float32', dims: [2, 3, 8, 8], data } },
  });
  assert.ok(r.ok, JSON.stringify(r));
  assert.deepEqual(rig.calls('trtexec').at(-1)!.argv, [
    `--loadEngine=${enginePath}`,
    '--shapes=input:2x3x8x8',
    `--loadInputs=input:${join(rig.root, 'trt-input-b2-0.bin')}`,
    `--exportOutput=${join(rig.root, 'trt-output-b2.json')}`,
    '--iterations=1',
    '--warmUp=0',
    '--duration=0',
  ]);
  assert.equal(r.value.length, 1);
  assert.deepEqual(r.value[0]!.dims, [2, 3, 8, 8]);
  assert.deepEqual(r.value[0]!.values, Array.from(data));
});

test('Silero VAD: --shapes for each dynamic input, all inputs loaded, int64 as int32 before TensorRT 10', async () => {
  const vad: TrtInputs = {
    batched: true,
    inputs: [
      { name: 'input', dtype: DType.FLOAT, dims: ['batch', 512], shaped: true },
      { name: 'sr', dtype: DType.INT64, dims: [], shaped: false },
      { name: 'h', dtype: DType.FLOAT, dims: [2, 'batch', 64], shaped: true },
      { name: 'c', dtype: DType.FLOAT, dims: [2, 'batch', 64], shaped: true },
    ],
  };
  const feeds = {
    input: { type: 'float32' as const, dims: [3, 512], data: normalFloats(3 * 512, 1) },
    sr: { type: 'int64' as const, dims: [], data: BigInt64Array.of(16000n) },
    h: { type: 'float32' as const, dims: [2, 3, 64], data: normalFloats(2 * 3 * 64, 2) },
    c: { type: 'float32' as const, dims: [2, 3, 64], data: normalFloats(2 * 3 * 64, 3) },
  };
  for (const [log, srBytes] of [
    [LOG.bench, 8],
    [LOG.v86, 4],
  ] as const) {
    const { rig, tool, enginePath } = await setup({ FAKE_TRT_LOG: log });
    // The engine the fake builds records its profile; runs outside it fail, as trtexec does.
    const at = (n: number) => `input:${n}x512,h:2x${n}x64,c:2x${n}x64`;
    writeFileSync(enginePath, `fake engine --minShapes=${at(1)} --optShapes=${at(4)} --maxShapes=${at(8)}\n`);
    const r = await runTrtEngineOnce({ tool, enginePath, inputs: vad, batch: 3, workDir: rig.root, exec, feeds });
    assert.ok(r.ok, JSON.stringify(r));
    const argv = rig.calls('trtexec').at(-1)!.argv;
    assert.equal(argv[1], '--shapes=input:3x512,h:2x3x64,c:2x3x64');
    const files = [0, 1, 2, 3].map((k) => join(rig.root, `trt-input-b3-${k}.bin`));
    assert.equal(argv[2], `--loadInputs=input:${files[0]},sr:${files[1]},h:${files[2]},c:${files[3]}`);
    assert.equal(
      readFileSync(files[1]!).length,
      srBytes,
      `sr as ${srBytes === 8 ? 'int64' : 'int32'} for TensorRT ${tool.fingerprint.tensorrt}`,
    );
    assert.deepEqual(
      r.value.map((o) => o.name),
      ['input', 'sr', 'h', 'c'],
    );
    assert.deepEqual(r.value[2]!.values, Array.from(feeds.h.data), 'the values reach trtexec unchanged');
    const outside = await runTrtEngineOnce({ tool, enginePath, inputs: vad, batch: 9, workDir: rig.root, exec, feeds });
    assert.ok(!outside.ok, 'batch 9 is outside the engine profile (max 8)');
  }
});

function real10(): number[] {
  return (JSON.parse(readFileSync(LOG.times, 'utf8')) as { latencyMs: number }[]).map((t) => t.latencyMs);
}
