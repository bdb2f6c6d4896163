/**
 * The parser against every recorded real trtexec log in test/fixtures/trtexec-real (copied from shared/reference:
 * 8.6.0 and 10.16.0), checking the exact figures each contains, and against the logs this project authored in
 * the same format (test/fixtures/trtexec-authored: two successes, six failures).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readExportOutput, readExportTimes } from '../../trt/export-json.js';
import { parseBanner, parseTrtexecLog, passed, versionFromNumber } from '../../trt/parse-log.js';
import { latencyStats } from '../../measure/trtexec-stats.js';
import { fromRoot } from '../repo-root.js';

const REAL = fromRoot('test/fixtures/trtexec-real') + '/';
const AUTHORED = fromRoot('test/fixtures/trtexec-authored') + '/';
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');

test('8.6.0 FP16 dynamic build+bench (F1): version, device, build time, full summary', () => {
  const log = parseTrtexecLog(read(REAL, 'trt-8.6.0-resnet50-fp16-rtx3060laptop.log'));
  assert.deepEqual(log.start?.version, { major: 8, minor: 6, patch: 0 });
  assert.equal(log.start?.number, 8600);
  assert.equal(log.start?.build, undefined);
  assert.ok(log.start?.command.includes('--fp16'));
  assert.equal(log.end?.status, 'PASSED');
  assert.ok(passed(log));
  assert.equal(log.tensorrtVersion, '8.6.0');
  assert.deepEqual(log.device, { name: 'NVIDIA GeForce RTX 3060 Laptop GPU', computeCapability: '8.6' });
  assert.equal(log.buildSeconds, 41.1653);
  assert.equal(log.engineSizeMiB, undefined);
  assert.deepEqual(log.warmup, { queries: 59, ms: 200 });
  assert.deepEqual(log.trace, { queries: 888, seconds: 3.00575 });
  const s = log.summary!;
  assert.equal(s.throughputQps, 295.434);
  assert.deepEqual(s.latency, {
    min: 3.25406,
    max: 3.93945,
    mean: 3.30966,
    median: 3.29138,
    percentiles: { 90: 3.36655, 95: 3.4021, 99: 3.57178 },
  });
  assert.deepEqual(s.enqueue, {
    min: 0.245361,
    max: 1.11035,
    mean: 0.389492,
    median: 0.318924,
    percentiles: { 90: 0.644897, 95: 0.729126, 99: 0.912476 },
  });
  assert.deepEqual(s.h2d, {
    min: 0.484863,
    max: 0.736328,
    mean: 0.516159,
    median: 0.502502,
    percentiles: { 90: 0.565674, 95: 0.599243, 99: 0.651245 },
  });
  assert.deepEqual(s.gpuCompute, {
    min: 2.75659,
    max: 3.3689,
    mean: 2.78581,
    median: 2.77808,
    percentiles: { 90: 2.80469, 95: 2.81714, 99: 3.04541 },
  });
  assert.deepEqual(s.d2h, {
    min: 0.00671387,
    max: 0.0263672,
    mean: 0.00769165,
    median: 0.00732422,
    percentiles: { 90: 0.00769043, 95: 0.00805664, 99: 0.022644 },
  });
  assert.equal(s.totalHostWalltimeS, 3.00575);
  assert.equal(s.totalGpuComputeS, 2.4738);
});

test('8.6.0 FP32 (F2): build time and summary', () => {
  const log = parseTrtexecLog(read(REAL, 'trt-8.6.0-resnet50-fp32-rtx3060laptop.log'));
  assert.equal(log.buildSeconds, 22.5091);
  assert.deepEqual(log.trace, { queries: 359, seconds: 3.0164 });
  assert.equal(log.summary?.throughputQps, 119.016);
  assert.deepEqual(log.summary?.latency, {
    min: 8.235,
    max: 9.02527,
    mean: 8.31788,
    median: 8.29443,
    percentiles: { 90: 8.39624, 95: 8.49881, 99: 8.64917 },
  });
  assert.equal(log.summary?.gpuCompute.mean, 7.6944);
  assert.equal(log.summary?.d2h.percentiles['99'], 0.0194092);
  assert.equal(log.summary?.totalGpuComputeS, 2.76229);
});

test('10.16.0 build+bench (F3): build number, UUID, engine size, summary with stderr hints mixed in', () => {
  const log = parseTrtexecLog(read(REAL, 'trt-10.16.0-mnistcnn-fp32-build-bench-rtx6000ada.log'));
  assert.deepEqual(log.start?.version, { major: 10, minor: 16, patch: 0 });
  assert.equal(log.start?.number, 101600);
  assert.equal(log.start?.build, '72');
  assert.equal(log.tensorrtVersion, '10.16.0');
  assert.deepEqual(log.device, {
    name: 'NVIDIA RTX 6000 Ada Generation',
    computeCapability: '8.9',
    uuid: 'GPU-6794f491-ac89-5cef-cdc5-a41123217fbd',
  });
  assert.equal(log.buildSeconds, 3.10201);
  assert.equal(log.engineSizeMiB, 12.5703);
  assert.deepEqual(log.warmup, { queries: 3349, ms: 200 });
  assert.deepEqual(log.trace, { queries: 55177, seconds: 3.00005 });
  const s = log.summary!;
  assert.equal(s.throughputQps, 18392);
  assert.deepEqual(s.latency, {
    min: 0.0334473,
    max: 0.882324,
    mean: 0.0431899,
    median: 0.0386963,
    percentiles: { 90: 0.0480957, 95: 0.0548096, 99: 0.144043 },
  });
  assert.deepEqual(s.h2d, {
    min: 0.00268555,
    max: 0.265503,
    mean: 0.00441713,
    median: 0.00390625,
    percentiles: { 90: 0.00524902, 95: 0.00610352, 99: 0.00952148 },
  });
  assert.deepEqual(s.gpuCompute, {
    min: 0.0266113,
    max: 0.7229,
    mean: 0.0334352,
    median: 0.0297852,
    percentiles: { 90: 0.0378418, 95: 0.0429688, 99: 0.0952148 },
  });
  assert.deepEqual(s.d2h, {
    min: 0.00317383,
    max: 0.476074,
    mean: 0.00533757,
    median: 0.00512695,
    percentiles: { 90: 0.00646973, 95: 0.00720215, 99: 0.0129395 },
  });
  assert.equal(s.enqueue.mean, 0.0286857);
  assert.equal(s.totalHostWalltimeS, 3.00005);
  assert.equal(s.totalGpuComputeS, 1.84486);
});

test('10.16.0 build-only with layer dump (F4, raw 0x1E/0x1F bytes): passed, no summary', () => {
  const log = parseTrtexecLog(read(REAL, 'trt-10.16.0-mnistcnn-build-only-dumpLayerInfo-rtx6000ada.log'));
  assert.ok(passed(log));
  assert.equal(log.buildSeconds, 2.84511);
  assert.equal(log.engineSizeMiB, 12.5709);
  assert.equal(log.summary, undefined);
  assert.equal(log.summarySuppressed, false);
  assert.equal(log.trace, undefined);
});

test('10.16.0 --loadEngine --dumpProfile (F5): summary suppressed, and said so', () => {
  const log = parseTrtexecLog(read(REAL, 'trt-10.16.0-mnistcnn-loadengine-dumpprofile-rtx6000ada.log'));
  assert.ok(passed(log));
  assert.equal(log.summary, undefined);
  assert.equal(log.summarySuppressed, true);
  assert.equal(log.buildSeconds, undefined);
  assert.equal(log.device?.computeCapability, '8.9');
});

test('banner numbers decode for both version schemes, with and without a build number', () => {
  assert.deepEqual(versionFromNumber(8601), { major: 8, minor: 6, patch: 1 });
  assert.deepEqual(versionFromNumber(100300), { major: 10, minor: 3, patch: 0 });
  assert.deepEqual(versionFromNumber(101601), { major: 10, minor: 16, patch: 1 });
  const b = parseBanner('&&&& RUNNING TensorRT.trtexec [TensorRT v101601] [b11] # trtexec --help');
  assert.deepEqual(b, {
    status: 'RUNNING',
    number: 101601,
    version: { major: 10, minor: 16, patch: 1 },
    build: '11',
    command: 'trtexec --help',
  });
  assert.equal(parseBanner('[I] TensorRT version: 10.16.0'), undefined);
});

test('authored fixtures: named so, the six failures FAILED with no summary, the two successes PASSED', () => {
  const failures = [
    ['trt-10.3.0-unknown-option-workspace.authored.log', '10.3.0'],
    ['trt-8.6.1-unsupported-operator.authored.log', '8.6.1'],
    ['trt-10.3.0-onnx-parse-error.authored.log', '10.3.0'],
    ['trt-10.3.0-out-of-memory.authored.log', '10.3.0'],
    ['trt-10.3.0-engine-version-mismatch.authored.log', '10.3.0'],
    ['trt-8.6.1-no-gpu.authored.log', '8.6.1'],
  ] as const;
  const successes = ['trt-10.16.0-build-only-h100.authored.log', 'trt-10.16.0-loadengine-bench-b4.authored.log'];
  const logs = readdirSync(AUTHORED).filter((f) => f !== 'README.md');
  assert.deepEqual(logs.sort(), [...failures.map(([f]) => f), ...successes].sort(), 'every log here says authored');
  for (const [file, version] of failures) {
    const log = parseTrtexecLog(read(AUTHORED, file));
    assert.equal(log.end?.status, 'FAILED', file);
    assert.equal(`${log.start?.version.major}.${log.start?.version.minor}.${log.start?.version.patch}`, version, file);
    assert.equal(log.summary, undefined, file);
  }
  for (const file of successes) assert.ok(passed(parseTrtexecLog(read(AUTHORED, file))), file);
});

test("--exportTimes (F8, real): records read exactly; stats use trtexec's percentile rule", async () => {
  const times = await readExportTimes(join(REAL, 'trt-8.x-resnet50-tf-fp16-rtx3090.exportTimes.first10.json'));
  assert.ok(times.ok);
  assert.equal(times.value.length, 10);
  assert.deepEqual(times.value[0], {
    startEnqMs: 7.50232,
    endEnqMs: 7.59,
    startH2dMs: 7.40864,
    endH2dMs: 7.40864,
    startComputeMs: 7.40864,
    endComputeMs: 11.5436,
    startD2hMs: 11.5436,
    endD2hMs: 11.5436,
    h2dMs: 0,
    computeMs: 4.13491,
    d2hMs: 0,
    latencyMs: 4.13491,
  });
  for (const r of times.value) assert.ok(Math.abs(r.latencyMs - (r.h2dMs + r.computeMs + r.d2hMs)) < 1e-5);
  const s = latencyStats(times.value.map((r) => r.latencyMs));
  // Sorted: 4.08269 4.08371 4.08576 4.08678 4.08678 4.08678 4.08781 4.09088 4.09088 4.13491.
  assert.equal(s.min, 4.08269);
  assert.equal(s.max, 4.13491);
  assert.equal(s.p50, 4.08678);
  assert.equal(s.p90, 4.09088); // index 10 - 1 - trunc(float32(1 - 0.9) * 10 = 1.0000002) = 8
  assert.equal(s.p95, null); // needs 20 samples
  assert.equal(s.p99, null);
  assert.ok(Math.abs(s.mean - 4.091698) < 1e-9);
});

test('--exportOutput: bare nan/inf as trtexec writes them are read, dimensions split', async () => {
  const p = join(mkdtempSync(join(tmpdir(), 'ef-out-')), 'out.json');
  writeFileSync(p, '[\n  { "name" : "y", "dimensions" : "1x4", "values" : [ 0.5, nan, -inf, inf ]}\n]\n');
  const r = await readExportOutput(p);
  assert.ok(r.ok);
  assert.deepEqual(r.value, [{ name: 'y', dims: [1, 4], values: [0.5, NaN, -Infinity, Infinity] }]);
  writeFileSync(p, '{"not": "a list"}');
  assert.ok(!(await readExportOutput(p)).ok);
});
