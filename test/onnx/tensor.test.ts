import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import onnxProto from 'onnx-proto';
import { DType, type Tensor } from '../../onnx/ir.js';
import { decodeTensor } from '../../onnx/serde.js';
import { decodeTensorFile, makeTensor, tensorValues, type TensorValues } from '../../onnx/tensor.js';

const { onnx } = onnxProto;
const Long = onnx.TensorProto.decode(onnx.TensorProto.encode({ int64Data: [1] }).finish()).int64Data[0]!
  .constructor as unknown as {
  fromString(s: string, unsigned?: boolean): unknown;
};

const values = (t: Tensor): TensorValues => {
  const r = tensorValues(t);
  assert.ok(r.ok, r.ok ? '' : r.error);
  return r.value;
};
/** Through the wire and back, so the test reads what a file would hold. */
const wire = (p: onnxProto.onnx.ITensorProto): Tensor => {
  const t = decodeTensor(onnx.TensorProto.encode(p).finish());
  assert.ok(t.ok);
  return t.value;
};

const samples: [string, DType, ArrayLike<number> | ArrayLike<bigint>, TensorValues][] = [
  ['FLOAT', DType.FLOAT, [1.5, -2.25, 3e-8, 65504], Float32Array.of(1.5, -2.25, 3e-8, 65504)],
  ['DOUBLE', DType.DOUBLE, [Math.PI, -1e300, 0, 2], Float64Array.of(Math.PI, -1e300, 0, 2)],
  ['INT8', DType.INT8, [-128, 127, -1, 0], Int8Array.of(-128, 127, -1, 0)],
  ['UINT8', DType.UINT8, [0, 255, 7, 128], Uint8Array.of(0, 255, 7, 128)],
  ['BOOL', DType.BOOL, [1, 0, 0, 1], Uint8Array.of(1, 0, 0, 1)],
  ['INT16', DType.INT16, [-32768, 32767, -2, 9], Int16Array.of(-32768, 32767, -2, 9)],
  ['UINT16', DType.UINT16, [65535, 0, 1, 40000], Uint16Array.of(65535, 0, 1, 40000)],
  ['FLOAT16 bits', DType.FLOAT16, [0x3c00, 0xc000, 0x7bff, 0x0001], Uint16Array.of(0x3c00, 0xc000, 0x7bff, 0x0001)],
  ['BFLOAT16 bits', DType.BFLOAT16, [0x3f80, 0xbf80, 0x7f7f, 0], Uint16Array.of(0x3f80, 0xbf80, 0x7f7f, 0)],
  ['INT32', DType.INT32, [-2147483648, 2147483647, -3, 4], Int32Array.of(-2147483648, 2147483647, -3, 4)],
  ['UINT32', DType.UINT32, [4294967295, 0, 1, 2147483648], Uint32Array.of(4294967295, 0, 1, 2147483648)],
  [
    'INT64',
    DType.INT64,
    [-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -5n],
    BigInt64Array.of(-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -5n),
  ],
  [
    'UINT64',
    DType.UINT64,
    [2n ** 64n - 1n, 0n, 2n ** 53n + 1n, 5n],
    BigUint64Array.of(2n ** 64n - 1n, 0n, 2n ** 53n + 1n, 5n),
  ],
];

for (const [label, dtype, input, expected] of samples) {
  test(`makeTensor then tensorValues through the wire: ${label}`, () => {
    const t = makeTensor('x', dtype, [2, 2], input);
    assert.ok(t.proto.rawData && t.proto.rawData.length > 0, 'stored as raw_data');
    const got = values(wire(t.proto));
    assert.equal(got.constructor, expected.constructor);
    assert.deepEqual(Array.from(got as ArrayLike<number | bigint>), Array.from(expected as ArrayLike<number | bigint>));
  });
}

test('raw_data is little-endian whatever the host', () => {
  const t = makeTensor('x', DType.INT32, [1], [0x01020304]);
  assert.deepEqual([...t.proto.rawData!], [4, 3, 2, 1]);
});

test("typed storage fields read as the dtype's array", () => {
  const typed: [onnxProto.onnx.ITensorProto, TensorValues][] = [
    [{ dataType: DType.FLOAT, dims: [3], floatData: [1, -0.5, 2] }, Float32Array.of(1, -0.5, 2)],
    [{ dataType: DType.DOUBLE, dims: [2], doubleData: [0.1, -7] }, Float64Array.of(0.1, -7)],
    // int32_data holds every type of 16 bits or fewer, sign-extended or as bit patterns.
    [{ dataType: DType.INT8, dims: [3], int32Data: [-128, 5, 127] }, Int8Array.of(-128, 5, 127)],
    [{ dataType: DType.UINT8, dims: [2], int32Data: [255, 0] }, Uint8Array.of(255, 0)],
    [{ dataType: DType.BOOL, dims: [2], int32Data: [1, 0] }, Uint8Array.of(1, 0)],
    [{ dataType: DType.INT16, dims: [2], int32Data: [-32768, 3] }, Int16Array.of(-32768, 3)],
    [{ dataType: DType.UINT16, dims: [1], int32Data: [65535] }, Uint16Array.of(65535)],
    [{ dataType: DType.FLOAT16, dims: [2], int32Data: [0x3c00, 0xfbff] }, Uint16Array.of(0x3c00, 0xfbff)],
    [{ dataType: DType.BFLOAT16, dims: [1], int32Data: [0x3f80] }, Uint16Array.of(0x3f80)],
    [{ dataType: DType.INT32, dims: [2], int32Data: [-2147483648, 9] }, Int32Array.of(-2147483648, 9)],
    [
      {
        dataType: DType.INT64,
        dims: [3],
        int64Data: [Long.fromString('-9223372036854775808'), Long.fromString('9007199254740993'), -4] as never,
      },
      BigInt64Array.of(-(2n ** 63n), 2n ** 53n + 1n, -4n),
    ],
    [
      { dataType: DType.UINT64, dims: [2], uint64Data: [Long.fromString('18446744073709551615', true), 3] as never },
      BigUint64Array.of(2n ** 64n - 1n, 3n),
    ],
    [{ dataType: DType.UINT32, dims: [2], uint64Data: [4294967295, 1] }, Uint32Array.of(4294967295, 1)],
  ];
  for (const [proto, expected] of typed) {
    const got = values(wire(proto));
    assert.equal(got.constructor, expected.constructor, `dtype ${proto.dataType}`);
    assert.deepEqual(
      Array.from(got as ArrayLike<number | bigint>),
      Array.from(expected as ArrayLike<number | bigint>),
      `dtype ${proto.dataType}`,
    );
  }
});

test('a scalar has one element; an empty dimension none', () => {
  assert.deepEqual([...(values(wire({ dataType: DType.FLOAT, floatData: [4] })) as Float32Array)], [4]);
  assert.equal(values(wire({ dataType: DType.FLOAT, dims: [0, 3] })).length, 0);
});

test('storage that disagrees with the dims, strings and external data are errors naming the field', () => {
  const short = tensorValues(wire({ name: 'w', dataType: DType.FLOAT, dims: [2, 3], floatData: [1, 2] }));
  assert.ok(
    !short.ok && /"w".*TensorProto\.float_data holds 2 elements where the dims need 6/.test(short.error),
    JSON.stringify(short),
  );
  const raw = tensorValues(wire({ name: 'r', dataType: DType.INT64, dims: [2], rawData: new Uint8Array(12) }));
  assert.ok(!raw.ok && /raw_data/.test(raw.error));
  const str = tensorValues(wire({ name: 's', dataType: DType.STRING, dims: [1], stringData: [new Uint8Array([65])] }));
  assert.ok(!str.ok && /STRING/.test(str.error));
  const ext = tensorValues(
    wire({
      name: 'e',
      dataType: DType.FLOAT,
      dims: [1],
      dataLocation: 1,
      externalData: [{ key: 'location', value: 'w.bin' }],
    }),
  );
  assert.ok(!ext.ok && /external file/.test(ext.error));
});

test('makeTensor with the wrong number of values is a bug and throws', () => {
  assert.throws(() => makeTensor('x', DType.FLOAT, [2, 2], [1, 2, 3]), /Internal error/);
});

test('decodeTensorFile names the file in every failure', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-tensor-'));
  try {
    const missing = await decodeTensorFile(join(dir, 'nope.pb'));
    assert.ok(!missing.ok && missing.error.includes('nope.pb') && /no such file/.test(missing.error));
    await writeFile(join(dir, 'empty.pb'), '');
    const empty = await decodeTensorFile(join(dir, 'empty.pb'));
    assert.ok(!empty.ok && empty.error.includes('empty.pb') && /empty/.test(empty.error));
    const good = onnx.TensorProto.encode(
      makeTensor('t', DType.FLOAT, [64], new Float32Array(64).fill(1)).proto,
    ).finish();
    await writeFile(join(dir, 'cut.pb'), good.subarray(0, good.length - 10));
    const cut = await decodeTensorFile(join(dir, 'cut.pb'));
    assert.ok(!cut.ok && cut.error.includes('cut.pb') && /truncated/.test(cut.error), JSON.stringify(cut));
    await writeFile(join(dir, 'good.pb'), good);
    const ok = await decodeTensorFile(join(dir, 'good.pb'));
    assert.ok(ok.ok);
    assert.deepEqual(ok.value.dims, [64]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
