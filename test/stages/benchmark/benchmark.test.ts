/**
 * The benchmark stage on a real small MobileNetV2: onnxruntime-node and Debian's PyTorch (CPU, 1.13) running
 * our graph through torch_runner.py, on the same seeded inputs, checked against the FP32 reference.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { encodeModel } from '../../../onnx/serde.js';
import { exec } from '../../../pipeline/execute/exec.js';
import type { BenchConfig } from '../../../measure/config.js';
import { ortSettings } from '../../../ort/runner.js';
import type { Measurement } from '../../../measure/result.js';
import type { BenchRequest } from '../../../measure/kit.js';
import { runBenchmark } from '../../../stages/benchmark/run-bench.js';
import { probeTorch } from '../../../torch/runner-process.js';
import { probeGpu } from '../../../measure/gpu.js';
import { stageContext } from '../optimize/stage-context.js';
import { tinyMobileNet } from './tiny-mobilenet.js';
import { benchConfig, kitSections } from '../../../stages/benchmark/kits.js';

let dir = '';
let optPath = '';
let rawPath = '';
const log = { info: () => undefined, warn: () => undefined };

before(async () => {
  ({ dir } = await stageContext({}, {}, {}));
  optPath = join(dir, 'model.opt.onnx');
  rawPath = join(dir, 'model.onnx');
  const { raw, opt } = tinyMobileNet();
  await writeFile(rawPath, encodeModel(raw));
  await writeFile(optPath, encodeModel(opt));
});

/** runBenchmark on the fixture's two models, in a work folder of its own under the fixture's directory. */
function measure(config: BenchConfig, work: string, more: Partial<BenchRequest> = {}) {
  const artifacts = { model: optPath, source: rawPath };
  return runBenchmark({ config, ...kitSections({}), artifacts, workDir: join(dir, work), exec, log, ...more });
}

const sha256 = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** A measurement at `batch` of 1 warm-up run and 12 timed runs: its samples, its statistics and its sampling. */
function checkTwelveRuns(m: Measurement, batch: number): void {
  assert.equal(m.samplesMs.length, 12);
  assert.equal(m.stats.n, 12);
  assert.ok(m.stats.min <= m.stats.p50 && m.stats.p50 <= (m.stats.p90 ?? Infinity) && m.stats.p50 <= m.stats.max);
  assert.equal(m.stats.p95, null, '12 samples cannot state p95');
  assert.equal(m.stats.p99, null);
  assert.ok(Math.abs(m.throughput - (batch * 1000) / m.stats.mean) < 1e-9);
  assert.deepEqual(
    [m.sampling?.n, m.sampling?.stoppedBy, m.sampling?.warmup],
    [12, 'runs', 1],
    'N taken and why it stopped',
  );
}

test('every engine runs the same inputs, judged against the reference; what cannot run says why', async () => {
  // A limit far above the runs: the counts below are exact even on a loaded machine.
  const config = benchConfig({
    bench: {
      warmup: 1,
      runs: 12,
      max_seconds: 600,
      batch_sizes: [1, 3],
      engines: ['ort', 'torch-eager', 'torch-compile', 'torch-cudagraph'],
      precisions: ['fp32'],
    },
  });
  const r = await measure(config, 'w1');
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const b = r.value;
  const find = (engine: string, batch: number) => b.measurements.find((m) => m.engine === engine && m.batch === batch);
  for (const batch of [1, 3]) {
    const ort = find('ort', batch);
    const eager = find('torch-eager', batch);
    assert.ok(ort && eager, `ort and torch-eager at batch ${batch}`);
    // The reference is the unoptimized model at level disabled on one thread: ORT FP32 on the optimized file
    // differs from it by the folded BatchNormalizations and onnxruntime's fusions, a little but not nothing.
    assert.ok(ort.correctness?.ok, JSON.stringify(ort.correctness));
    assert.ok(
      ort.correctness.relL2 > 0 && ort.correctness.relL2 < 1e-5,
      `ORT FP32 is judged against another computation: ${ort.correctness.relL2}`,
    );
    assert.ok(eager.correctness?.ok, JSON.stringify(eager.correctness));
    assert.ok(
      eager.correctness.relL2 > 0 && eager.correctness.relL2 < 1e-5,
      `torch differs only by summation order: ${eager.correctness.relL2}`,
    );
    for (const m of [ort, eager]) checkTwelveRuns(m, batch);
    assert.equal(eager.settings['threads'], availableParallelism(), 'torch on the CPU uses every core, set explicitly');
  }
  assert.deepEqual(b.reference, {
    model: 'model.onnx',
    sha256: await sha256(rawPath),
    runtime: `onnxruntime-node ${b.environment.versions.onnxruntime} (CPU)`,
    graphOptimizationLevel: 'disabled',
    intraOpThreads: 1,
    interOpThreads: 1,
  });
  const torchMajor = Number(b.environment.versions.torch?.split('.')[0]);
  const reasons = b.skipped.map((s) => `${s.engine}: ${s.reason}`).join('\n');
  if (torchMajor < 2) assert.match(reasons, /torch-compile: torch\.compile needs torch >= 2 \(found 1\./);
  assert.match(reasons, /torch-cudagraph: CUDA not available: skipping torch-cudagraph/);
  assert.equal(b.model.sha256, await sha256(optPath));
  assert.ok(b.environment.cpu.cores > 0 && b.environment.versions.onnxruntime);
});

test('an ORT sweep measures every level × thread setting', async () => {
  const config = benchConfig({
    bench: {
      warmup: 0,
      runs: 2,
      batch_sizes: [1],
      engines: ['ort'],
      precisions: ['fp32'],
      ort: { sweep: true, sweep_levels: ['disabled', 'all'], sweep_intra_op_threads: [1, 2] },
    },
  });
  assert.equal(ortSettings(config.ort).length, 4);
  const r = await measure(config, 'w2');
  assert.ok(r.ok);
  const seen = r.value.measurements
    .map((m) => `${m.settings.graphOptimizationLevel}/${m.settings.intraOpThreads}`)
    .sort();
  assert.deepEqual(seen, ['all/1', 'all/2', 'disabled/1', 'disabled/2']);
  // Every setting computes the same thing.
  for (const m of r.value.measurements) assert.ok((m.correctness?.relL2 ?? 1) < 1e-5);
});

test('a missing FP16 model, TensorRT engine or PyTorch is a skip with a reason, not a failure', async () => {
  const config = benchConfig({
    bench: {
      warmup: 0,
      runs: 1,
      batch_sizes: [1],
      engines: ['ort', 'torch-eager', 'trt'],
      python: join(dir, 'no-such-python'),
    },
  });
  const r = await measure(config, 'w3');
  assert.ok(r.ok);
  const reasons = r.value.skipped.map((s) => `${s.engine} ${s.precision ?? ''} ${s.kind}: ${s.reason}`);
  const said = (re: RegExp) =>
    assert.ok(
      reasons.some((s) => re.test(s)),
      `${re}:\n${reasons.join('\n')}`,
    );
  said(/^ort fp16 no-model: convert:fp16 produced no model\.fp16\.onnx; the manifest says why$/);
  for (const p of ['fp32', 'fp16'])
    said(new RegExp(`^torch-eager ${p} tool-unavailable: PyTorch engines skipped: .*no-such-python cannot be started`));
  // No engine file: the reason is what this machine lacks (as the engine stage's probe found), else the stage's.
  const gpu = await probeGpu(exec);
  if (!gpu.ok) said(new RegExp(`^trt fp32 no-gpu: ${gpu.error.message.replace(/[()]/g, '\\$&')}$`));
  else said(/^trt fp32 (tool-unavailable|no-model): /);
  assert.equal(r.value.measurements.length, 1);
});

test('the torch probe finds a Python with torch, and names the one it could not use', async () => {
  const found = await probeTorch('/usr/bin/python3', exec);
  assert.ok(found.ok, found.ok ? '' : found.error.message);
  assert.match(found.value.environment.torch, /^\d+\.\d+/);
  const missing = await probeTorch(join(dir, 'no-such-python'), exec);
  assert.ok(!missing.ok);
  assert.match(missing.error.message, /no-such-python/);
});

test('--precision fp32 narrows the benchmark: nothing in FP16 is measured, and the skip says why', async () => {
  const config = benchConfig({
    bench: { warmup: 0, runs: 3, batch_sizes: [1], engines: ['ort'], precisions: ['fp32', 'fp16'] },
  });
  const artifacts = { model: optPath, source: rawPath, onnx: { fp16: optPath } };
  const r = await measure(config, 'w5', { artifacts, only: 'fp32' });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(
    r.value.measurements.map((m) => m.precision),
    ['fp32'],
  );
  const reason = 'left out by --precision fp32';
  assert.deepEqual(r.value.skipped, [{ engine: 'all', precision: 'fp16', kind: 'excluded', reason }]);
  assert.deepEqual(r.value.budget, { runs: 3, maxSeconds: 10, warmup: 0, warmupMaxSeconds: 2 });
  assert.deepEqual(
    { ...r.value.measurements[0]!.sampling, seconds: 0, warmupSeconds: 0 },
    { n: 3, stoppedBy: 'runs', seconds: 0, warmup: 0, warmupSeconds: 0 },
  );
});

test('the torch runner stops at bench.max_seconds with at least 10 samples, and says so', async () => {
  const config = benchConfig({
    bench: {
      warmup: 50,
      warmup_max_seconds: 0.01,
      runs: 100000,
      max_seconds: 0.2,
      batch_sizes: [1],
      engines: ['torch-eager'],
      precisions: ['fp32'],
    },
  });
  const r = await measure(config, 'w6');
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const m = r.value.measurements[0];
  if (!m) return assert.match(r.value.skipped.map((s) => s.reason).join(), /torch not importable/);
  const s = m.sampling!;
  assert.equal(s.stoppedBy, 'max_seconds');
  assert.ok(s.n >= 10 && s.n < 100000 && s.n === m.samplesMs.length, `${s.n} samples`);
  // It stops at the first sample past the limit, or at the 10th when the limit came earlier (a loaded machine).
  const total = m.samplesMs.reduce((x, y) => x + y, 0) / 1000;
  const bound = Math.max(0.2 + Math.max(...m.samplesMs) / 1000, total) + 0.5;
  assert.ok(s.seconds >= 0.2 && s.seconds <= bound, `stopped soon after the limit: ${s.seconds} s (bound ${bound} s)`);
  assert.ok(s.warmup >= 1 && s.warmup < 50, `warm-up bounded by its own limit: ${s.warmup} runs`);
});
