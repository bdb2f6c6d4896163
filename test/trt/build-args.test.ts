/**
 * The exact build command line for FP32/FP16 × static/dynamic batch × TensorRT 8.6/10.x, and the
 * combinations refused for a version. These argv lists are what docs/tensorrt.md quotes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildArgs, type BuildRequest } from '../../trt/build-args.js';

const V86 = { major: 8, minor: 6, patch: 1 };
const V10 = { major: 10, minor: 3, patch: 0 };
const settings = { workspace_mib: 2048, builder_optimization_level: 3, batch: { min: 1, opt: 4, max: 8 }, bf16: false, strongly_typed: false };
const base: Omit<BuildRequest, 'version' | 'precision'> = {
  settings, onnx: '/s/model.opt.onnx', engine: '/o/model.fp16.engine', timingCache: '/p/timing.cache',
  input: { name: 'input', batch: 1, dynamicBatch: false, rest: [3, 224, 224] },
};
const dynamic = { name: 'input', dynamicBatch: true, rest: [3, 224, 224] };
const TAIL = ['--memPoolSize=workspace:2048', '--builderOptimizationLevel=3', '--timingCacheFile=/p/timing.cache', '--skipInference'];
const SHAPES = ['--minShapes=input:1x3x224x224', '--optShapes=input:4x3x224x224', '--maxShapes=input:8x3x224x224'];
const HEAD = ['--onnx=/s/model.opt.onnx', '--saveEngine=/o/model.fp16.engine'];

for (const version of [V86, V10]) {
  const v = `${version.major}.${version.minor}`;
  test(`TensorRT ${v}: FP32 static, FP16 static, FP32 dynamic, FP16 dynamic`, () => {
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp32' }), { ok: true, value: [...HEAD, ...TAIL] });
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp16' }), { ok: true, value: [...HEAD, '--fp16', ...TAIL] });
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp32', input: dynamic }), { ok: true, value: [...HEAD, ...SHAPES, ...TAIL] });
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp16', input: dynamic }), { ok: true, value: [...HEAD, '--fp16', ...SHAPES, ...TAIL] });
  });
}

test('no removed or unit-suffixed flag, and every option is a single --name=value item', () => {
  for (const version of [V86, V10]) {
    const r = buildArgs({ ...base, version, precision: 'fp16', input: dynamic });
    assert.ok(r.ok);
    for (const a of r.value) {
      assert.match(a, /^--[A-Za-z0-9]+(=.+)?$/);
      assert.doesNotMatch(a, /^--(workspace|explicitBatch|buildOnly|minTiming|batch|maxBatch)\b/);
    }
    assert.ok(r.value.includes('--memPoolSize=workspace:2048'));
  }
});

test('bf16 and strongly typed exist only on 10.x, exclude each other, and apply to FP16 only', () => {
  const bf16 = { ...settings, bf16: true };
  const st = { ...settings, strongly_typed: true };
  assert.deepEqual(buildArgs({ ...base, version: V10, precision: 'fp16', settings: bf16 }), { ok: true, value: [...HEAD, '--fp16', '--bf16', ...TAIL] });
  assert.deepEqual(buildArgs({ ...base, version: V10, precision: 'fp16', settings: st }), { ok: true, value: [...HEAD, '--stronglyTyped', ...TAIL] });
  const r86 = buildArgs({ ...base, version: V86, precision: 'fp16', settings: bf16 });
  assert.deepEqual(r86, { ok: false, error: 'trt.bf16 needs TensorRT 10 or newer, and the trtexec found is 8.6.1; turn it off or use a TensorRT 10 trtexec or image' });
  assert.ok(!buildArgs({ ...base, version: V10, precision: 'fp16', settings: { ...st, bf16: true } }).ok);
});

test('TensorRT 11 has no --fp16: the FP16 build must be strongly typed', () => {
  const r = buildArgs({ ...base, version: { major: 11, minor: 1, patch: 0 }, precision: 'fp16' });
  assert.ok(!r.ok);
  assert.match(r.error, /TensorRT 11\.1\.0 has no --fp16 flag/);
});

test('a name with a separator is quoted; a bad profile is refused', () => {
  const r = buildArgs({ ...base, version: V10, precision: 'fp32', input: { ...dynamic, name: 'x:0' } });
  assert.ok(r.ok);
  assert.ok(r.value.includes("--minShapes='x:0':1x3x224x224"));
  const bad = buildArgs({ ...base, version: V10, precision: 'fp32', input: dynamic, settings: { ...settings, batch: { min: 4, opt: 2, max: 8 } } });
  assert.deepEqual(bad, { ok: false, error: 'trt.batch must satisfy min <= opt <= max, got min 4, opt 2, max 8' });
});
