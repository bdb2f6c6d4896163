/**
 * Opsets 18 to 21, which Debian's onnx 1.12 does not know, against onnxruntime (it implements them): a model
 * valid under the versions the schema table took from onnx 1.23's docs loads and runs there, and one that
 * breaks them is refused there too. Each case hinges on what changed at 18..21.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float32ToFloat16Bits } from '../../../onnx/float16.js';
import { DType, type Model, type Tensor } from '../../../onnx/ir.js';
import { openSession, runFloat } from '../../../onnx/ort.js';
import { encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { floats, int64s, model, node, vi } from '../model-kit.js';

interface Case {
  name: string;
  model: Model;
  expect?: string;
  out?: number[];
}

const x = vi('x', DType.FLOAT, [2, 3]);
const scalar = (name: string, dtype: DType, bytes: Uint8Array): Tensor => ({
  name,
  dtype,
  dims: [],
  proto: { name, dims: [], dataType: dtype, rawData: bytes },
});
const half = (name: string, v: number) =>
  scalar(name, DType.FLOAT16, new Uint8Array(new Uint16Array([float32ToFloat16Bits(v)]).buffer));
const int8 = (name: string, v: number) => scalar(name, DType.INT8, new Uint8Array(new Int8Array([v]).buffer));
const one = (opset: number, n: ReturnType<typeof node>, out: number[], inits = [int64s('axes', [1])]): Model =>
  model({ inputs: [x], outputs: [vi('y', DType.FLOAT, out)], initializers: inits, nodes: [n] }, opset, 8);

const reduceMean = (inputs: string[], attrs = {}) => node('ReduceMean', inputs, ['y'], attrs);
const padded = (opset: number) =>
  one(opset, node('Pad', ['x', 'pads', '', 'axes'], ['y']), [2, 5], [int64s('pads', [1, 1]), int64s('axes', [1])]);
const gelu = (attrs = {}) => one(20, node('Gelu', ['x'], ['y'], attrs), [2, 3], []);

const cases: Case[] = [
  { name: 'ReduceMean-18 takes axes as an input', model: one(18, reduceMean(['x', 'axes']), [2, 1]), out: [2, 1] },
  {
    name: 'ReduceMean-18 has no axes attribute',
    model: one(18, reduceMean(['x'], { axes: [1] }), [2, 1]),
    expect: 'unknown-attribute',
  },
  {
    name: 'ReduceMean at 17 still takes the attribute',
    model: one(17, reduceMean(['x'], { axes: [1] }), [2, 1], []),
    out: [2, 1],
  },
  { name: 'Pad-18 takes axes as its 4th input', model: padded(18), out: [2, 5] },
  { name: 'Pad at 17 takes no 4th input', model: padded(17), expect: 'input-count' },
  { name: 'Gelu-20', model: gelu(), out: [2, 3] },
  { name: 'Gelu-20 with an unknown attribute', model: gelu({ alpha: 1 }), expect: 'unknown-attribute' },
  {
    name: 'Split-18 into num_outputs uneven parts (3 → 2 + 1)',
    model: model(
      {
        inputs: [x],
        outputs: [vi('y', DType.FLOAT, [2, 2]), vi('z', DType.FLOAT, [2, 1])],
        nodes: [node('Split', ['x'], ['y', 'z'], { axis: 1, num_outputs: 2 })],
      },
      18,
      8,
    ),
    out: [2, 2],
  },
  {
    name: "DequantizeLinear-19 yields its float16 scale's type",
    model: model(
      {
        inputs: [x],
        outputs: [vi('y', DType.FLOAT, [2, 3])],
        valueInfo: [vi('d', DType.FLOAT16, [2, 3])],
        initializers: [floats('s', [], [0.1]), half('s16', 0.1), int8('zp', 0)],
        nodes: [
          node('QuantizeLinear', ['x', 's', 'zp'], ['q']),
          node('DequantizeLinear', ['q', 's16', 'zp'], ['d']),
          node('Cast', ['d'], ['y'], { to: DType.FLOAT }),
        ],
      },
      19,
      9,
    ),
    out: [2, 3],
  },
];

test("opsets 18..21: our verdict is onnxruntime's", async () => {
  for (const c of cases) {
    const ours = validateModel(c.model);
    const bytes = encodeModel(c.model);
    if (!c.expect) {
      assert.deepEqual(ours.errors, [], c.name);
      const session = await openSession(bytes);
      const y = (await runFloat(session, { x: { dims: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) } })).y!;
      assert.deepEqual(y.dims, c.out, c.name);
      continue;
    }
    assert.equal(ours.errors[0]?.code, c.expect, `${c.name}: ${JSON.stringify(ours.errors)}`);
    await assert.rejects(openSession(bytes), `${c.name}: onnxruntime loaded it`);
  }
});
