import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType, type Model } from '../../../onnx/ir.js';
import { encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { convertFloat16 } from '../../../stages/convert-fp16/convert.js';
import { compareOutputs, runDisabled, seededFeeds } from '../../../onnx/numeric-check.js';
import { floats, node, tiny } from '../../onnx/rewrite/tiny-model.js';

const convNet = (tail: 'gemm' | 'softmax', weightScale = 1): Model =>
  tiny({
    inputs: { x: ['N', 3, 8, 8] },
    outputs: ['y'],
    nodes: [
      node('Conv', ['x', 'w', 'b'], ['c'], { pads: [1, 1, 1, 1] }),
      node('Clip', ['c', 'lo', 'hi'], ['r']),
      node('GlobalAveragePool', ['r'], ['p']),
      node('Flatten', ['p'], ['f']),
      ...(tail === 'gemm'
        ? [node('Gemm', ['f', 'fc', 'fb'], ['y'], { transB: 1 })]
        : [node('Gemm', ['f', 'fc', 'fb'], ['g'], { transB: 1 }), node('Softmax', ['g'], ['y'])]),
    ],
    initializers: [
      floats('w', [4, 3, 3, 3], 1, (v) => v * weightScale),
      floats('b', [4], 2),
      floats('lo', [], 3, () => 0),
      floats('hi', [], 4, () => 6),
      floats('fc', [5, 4], 5),
      floats('fb', [5], 6),
    ],
  });

const casts = (m: Model) => m.graph.nodes.filter((n) => n.opType === 'Cast');

async function agreementWithFp32(fp32: Model, fp16: Model) {
  const feeds = seededFeeds(fp32, 1, 3);
  assert.ok(feeds.ok);
  const ref = await runDisabled(encodeModel(fp32), feeds.value);
  const got = await runDisabled(encodeModel(fp16), feeds.value);
  assert.ok(ref.ok && got.ok, `${ref.ok ? '' : ref.error} ${got.ok ? '' : got.error}`);
  return compareOutputs(got.value, ref.value);
}

test('weights and compute go to float16, with Casts only at the float32 boundary', async () => {
  const m = convNet('gemm');
  const r = convertFloat16(m, { keepFp32: [], keepIoFp32: true });
  assert.ok(r.ok, r.ok ? '' : r.error);
  const out = r.value.model;
  assert.ok(out.graph.initializers.every((t) => t.dtype === DType.FLOAT16));
  assert.deepEqual(
    casts(out).map((c) => [c.inputs[0], c.outputs[0]]),
    [
      ['x', 'x_fp16'],
      ['y_fp16', 'y'],
    ],
  );
  assert.equal(out.graph.inputs[0]?.type?.dtype, DType.FLOAT);
  assert.deepEqual(validateModel(out).errors, []);
  const c = await agreementWithFp32(m, out);
  assert.ok(c.worstRelL2 < 1e-2 && c.worstRelL2 > 0, `relative L2 ${c.worstRelL2}`);
  assert.equal(c.outputs.y?.top1, 1);
});

test('a kept operator computes in float32 behind one Cast, with no Cast pair anywhere', async () => {
  const m = convNet('softmax');
  const r = convertFloat16(m, { keepFp32: ['Softmax'], keepIoFp32: true });
  assert.ok(r.ok);
  const out = r.value.model;
  const producers = new Map(out.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  assert.ok(
    casts(out).every((c) => producers.get(c.inputs[0] as string)?.opType !== 'Cast'),
    'no Cast reads a Cast',
  );
  assert.equal(casts(out).length, 2, 'one Cast after the input, one before Softmax; Softmax already writes float32');
  assert.deepEqual(
    r.value.report.keptFp32.map((k) => k.opType),
    ['Softmax'],
  );
  assert.deepEqual(validateModel(out).errors, []);
  assert.ok((await agreementWithFp32(m, out)).worstRelL2 < 1e-2);
});

test('float16 I/O when asked; weights beyond the float16 range are clamped and reported', () => {
  const r = convertFloat16(convNet('gemm', 1e5), { keepFp32: [], keepIoFp32: false });
  assert.ok(r.ok);
  assert.equal(casts(r.value.model).length, 0);
  assert.equal(r.value.model.graph.outputs[0]?.type?.dtype, DType.FLOAT16);
  assert.ok((r.value.report.clamped.w ?? 0) > 0);
  assert.equal(r.value.report.clamped.fc, undefined);
  assert.deepEqual(validateModel(r.value.model).errors, []);
});

test('a constant read by an operator kept in float32 stays float32, unclamped; a clamped one is named', async () => {
  const big = (name: string, v: number) => floats(name, [3], 1, () => v);
  const m = tiny({
    inputs: { x: [2, 3] },
    outputs: ['y1', 'y2'],
    nodes: [
      node('Mul', ['x', 'c1'], ['y1']),
      node('Constant', [], ['c2'], { value: big('c2', 70000) }),
      node('Add', ['x', 'c2'], ['y2']),
    ],
    initializers: [big('c1', 1e5)],
  });
  const r = convertFloat16(m, { keepFp32: ['Add'], keepIoFp32: true });
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual(r.value.report.clamped, { c1: 3 });
  const c2 = r.value.model.graph.initializers.find((t) => t.name === 'c2');
  assert.equal(c2?.dtype, DType.FLOAT, 'the Constant read by the kept Add is a float32 initializer');
  assert.ok(r.value.model.graph.nodes.every((n) => n.opType !== 'Constant'));
  const c = await agreementWithFp32(m, r.value.model);
  assert.equal(c.outputs.y2?.maxAbs, 0, 'the kept Add computes on the exact constant');
});
