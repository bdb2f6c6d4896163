/**
 * The exact build command line for FP32/FP16 × static/dynamic batch × TensorRT 8.6/10.x, which ONNX and flags
 * each precision gets on 8.6, 10 and 11, and the combinations refused for a version. These argv lists are what
 * docs/tensorrt.md quotes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType } from '../../onnx/ir.js';
import { buildArgs, buildPlan, type BuildRequest } from '../../trt/build-args.js';
import type { Precision } from '../../onnx/precision.js';
import { trtBuild, wouldRun } from '../../trt/engine-stage.js';
import { engineStage } from '../../measure/engine-stage.js';
import type { TrtInputs } from '../../trt/model-input.js';

const V86 = { major: 8, minor: 6, patch: 1 };
const V10 = { major: 10, minor: 3, patch: 0 };
const settings = {
  workspace_mib: 2048,
  builder_optimization_level: 3,
  batch: { min: 1, opt: 4, max: 8 },
  bf16: false,
  strongly_typed: false,
};
const base: Omit<BuildRequest, 'version' | 'precision'> = {
  settings,
  onnx: '/s/model.opt.onnx',
  engine: '/o/model.fp16.engine',
  timingCache: '/p/timing.cache',
  inputs: {
    inputs: [{ name: 'input', dtype: DType.FLOAT, dims: [1, 3, 224, 224], shaped: false }],
    batched: false,
    fixedBatch: 1,
  },
};
const one = (name: string, dims: Array<number | 'batch'>, dtype: DType = DType.FLOAT, shaped = true) => ({
  name,
  dtype,
  dims,
  shaped,
});
const dynamic: TrtInputs = { inputs: [one('input', ['batch', 3, 224, 224])], batched: true };
const TAIL = [
  '--memPoolSize=workspace:2048',
  '--builderOptimizationLevel=3',
  '--timingCacheFile=/p/timing.cache',
  '--skipInference',
];
const SHAPES = ['--minShapes=input:1x3x224x224', '--optShapes=input:4x3x224x224', '--maxShapes=input:8x3x224x224'];
const HEAD = ['--onnx=/s/model.opt.onnx', '--saveEngine=/o/model.fp16.engine'];

for (const version of [V86, V10]) {
  const v = `${version.major}.${version.minor}`;
  test(`TensorRT ${v}: FP32 static, FP16 static, FP32 dynamic, FP16 dynamic`, () => {
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp32' }), { ok: true, value: [...HEAD, ...TAIL] });
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp16' }), {
      ok: true,
      value: [...HEAD, '--fp16', ...TAIL],
    });
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp32', inputs: dynamic }), {
      ok: true,
      value: [...HEAD, ...SHAPES, ...TAIL],
    });
    assert.deepEqual(buildArgs({ ...base, version, precision: 'fp16', inputs: dynamic }), {
      ok: true,
      value: [...HEAD, '--fp16', ...SHAPES, ...TAIL],
    });
  });
}

test('no removed or unit-suffixed flag, and every option is a single --name=value item', () => {
  for (const version of [V86, V10]) {
    const r = buildArgs({ ...base, version, precision: 'fp16', inputs: dynamic });
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
  assert.deepEqual(buildArgs({ ...base, version: V10, precision: 'fp16', settings: bf16 }), {
    ok: true,
    value: [...HEAD, '--fp16', '--bf16', ...TAIL],
  });
  assert.deepEqual(buildArgs({ ...base, version: V10, precision: 'fp16', settings: st }), {
    ok: true,
    value: [...HEAD, '--stronglyTyped', ...TAIL],
  });
  const r86 = buildArgs({ ...base, version: V86, precision: 'fp16', settings: bf16 });
  assert.deepEqual(r86, {
    ok: false,
    error:
      'trt.bf16 needs TensorRT 10 or newer, and the trtexec found is 8.6.1; ' +
      'turn it off or use a TensorRT 10 trtexec or image',
  });
  assert.ok(!buildArgs({ ...base, version: V10, precision: 'fp16', settings: { ...st, bf16: true } }).ok);
});

test('which ONNX and which flags, per TensorRT major: 11 takes no precision flag, 10 types INT8 strongly', () => {
  const V11 = { major: 11, minor: 4, patch: 0 };
  const V1016 = { major: 10, minor: 16, patch: 0 };
  const plan = (version: typeof V11, precision: Precision, more: Partial<typeof settings> = {}) => {
    const r = buildPlan({ version, precision, settings: { ...settings, ...more } });
    return r.ok ? `${r.value.source} ${r.value.flags.join(' ')}`.trim() : `refused: ${r.error}`;
  };
  const table = (more: Partial<typeof settings> = {}) =>
    Object.fromEntries(
      [V86, V1016, V11].map((v) => [
        `${v.major}.${v.minor}`,
        (['fp32', 'fp16', 'int8'] as const).map((p) => plan(v, p, more)),
      ]),
    );
  assert.deepEqual(table(), {
    '8.6': ['model', 'model --fp16', 'int8model --int8'],
    '10.16': ['model', 'model --fp16', 'int8model --stronglyTyped'],
    '11.4': ['model', 'fp16model', 'int8model'],
  });
  // trt.strongly_typed overrides 10's weakly typed FP16 only; 11 is typed anyway and INT8 always is.
  assert.deepEqual(table({ strongly_typed: true })['10.16'], [
    'model',
    'fp16model --stronglyTyped',
    'int8model --stronglyTyped',
  ]);
  assert.deepEqual(table({ strongly_typed: true })['11.4'], ['model', 'fp16model', 'int8model']);
  assert.equal(
    plan(V11, 'fp16', { bf16: true }),
    'refused: trt.bf16: TensorRT 11.4.0 has no --bf16 flag (11.x takes every precision from the ONNX); turn it off',
  );
  const r = buildArgs({ ...base, version: V11, precision: 'int8', onnx: '/s/model.int8.onnx', inputs: dynamic });
  assert.deepEqual(r, {
    ok: true,
    value: ['--onnx=/s/model.int8.onnx', '--saveEngine=/o/model.fp16.engine', ...SHAPES, ...TAIL],
  });
});

test('a name with a separator is quoted; a bad profile is refused', () => {
  const r = buildArgs({
    ...base,
    version: V10,
    precision: 'fp32',
    inputs: { inputs: [one('x:0', ['batch', 3, 224, 224])], batched: true },
  });
  assert.ok(r.ok);
  assert.ok(r.value.includes("--minShapes='x:0':1x3x224x224"));
  const bad = buildArgs({
    ...base,
    version: V10,
    precision: 'fp32',
    inputs: dynamic,
    settings: { ...settings, batch: { min: 4, opt: 2, max: 8 } },
  });
  assert.deepEqual(bad, { ok: false, error: 'trt.batch must satisfy min <= opt <= max, got min 4, opt 2, max 8' });
});

test('any model: each symbolic input gets min/opt/max from trt.batch and resolved dims; static inputs none', () => {
  // Silero VAD's inputs: input [batch, sequence] with sequence from model.dims, an int64 scalar sr (static),
  // states [2, batch, 64] whose batch is not the leading dimension.
  const vad: TrtInputs = {
    batched: true,
    inputs: [
      one('input', ['batch', 512]),
      one('sr', [], DType.INT64, false),
      one('h', [2, 'batch', 64]),
      one('c', [2, 'batch', 64]),
    ],
  };
  const r = buildArgs({ ...base, version: V10, precision: 'fp32', inputs: vad });
  assert.deepEqual(r, {
    ok: true,
    value: [
      ...HEAD,
      '--minShapes=input:1x512,h:2x1x64,c:2x1x64',
      '--optShapes=input:4x512,h:2x4x64,c:2x4x64',
      '--maxShapes=input:8x512,h:2x8x64,c:2x8x64',
      ...TAIL,
    ],
  });
  // PaddleOCR's recognizer with a fixed batch and a symbolic width set by model.dims: min = opt = max.
  const ocr: TrtInputs = { batched: false, fixedBatch: 1, inputs: [one('x', [1, 3, 48, 320])] };
  const o = buildArgs({ ...base, version: V86, precision: 'fp16', inputs: ocr });
  assert.deepEqual(o, {
    ok: true,
    value: [
      ...HEAD,
      '--fp16',
      '--minShapes=x:1x3x48x320',
      '--optShapes=x:1x3x48x320',
      '--maxShapes=x:1x3x48x320',
      ...TAIL,
    ],
  });
});

test('the "would have run" line of a skipped build comes from the same builder', () => {
  const config = engineStage(trtBuild, 'fp16').config({
    trt: { workspace_mib: 1024, batch: { min: 1, opt: 2, max: 16 } },
  });
  const line = wouldRun(config);
  const args = buildArgs({
    ...base,
    version: V10,
    precision: 'fp16',
    settings: config,
    onnx: '<model>',
    engine: 'model.fp16.engine',
    timingCache: '<timing.cache>',
    inputs: undefined,
  });
  assert.ok(args.ok);
  assert.equal(line, `trtexec ${args.value.join(' ')}`);
  assert.match(
    line,
    new RegExp(
      '--fp16 --minShapes=<each dynamic input at batch 1> --optShapes=<… batch 2> --maxShapes=<… batch 16> ' +
        '--memPoolSize=workspace:1024 ',
    ),
  );
});
