/**
 * ONNX's reference tensors (test_data_set_0/*.pb, TensorProto) as onnxruntime-node tensors, and the
 * comparison the ONNX backend tests use: |a − b| ≤ atol + rtol·|b|, NaN equal to NaN, exact for
 * integers, booleans and strings.
 */
import onnxProto from 'onnx-proto';
import { DType } from '../../../onnx/ir.js';
import type { AnyTensor } from '../../../onnx/ort.js';
import { float16ToFloat32 } from '../../../onnx/float16.js';

const { onnx } = onnxProto;

const KINDS: Partial<Record<number, [AnyTensor['type'], new (buf: ArrayBuffer) => ArrayLike<unknown>, number]>> = {
  [DType.FLOAT]: ['float32', Float32Array, 4],
  [DType.DOUBLE]: ['float64', Float64Array, 8],
  [DType.FLOAT16]: ['float16', Uint16Array, 2],
  [DType.INT64]: ['int64', BigInt64Array, 8],
  [DType.UINT64]: ['uint64', BigUint64Array, 8],
  [DType.INT32]: ['int32', Int32Array, 4],
  [DType.UINT32]: ['uint32', Uint32Array, 4],
  [DType.INT16]: ['int16', Int16Array, 2],
  [DType.UINT16]: ['uint16', Uint16Array, 2],
  [DType.INT8]: ['int8', Int8Array, 1],
  [DType.UINT8]: ['uint8', Uint8Array, 1],
  [DType.BOOL]: ['bool', Uint8Array, 1],
};

const toNum = (v: number | { toString(): string }): string | number => (typeof v === 'number' ? v : v.toString());

/** undefined for what ORT cannot take from us (complex, bfloat16, external data). */
export function protoToTensor(bytes: Uint8Array): AnyTensor | undefined {
  const p = onnx.TensorProto.decode(bytes);
  const dims = (p.dims ?? []).map((d) => Number(d));
  const dtype = p.dataType ?? 0;
  if (dtype === DType.STRING)
    return { type: 'string', dims, data: (p.stringData ?? []).map((s) => Buffer.from(s).toString('utf8')) };
  const kind = KINDS[dtype];
  if (!kind) return undefined;
  const [type, Ctor, size] = kind;
  const n = dims.reduce((a, b) => a * b, 1);
  if (p.rawData && p.rawData.length > 0) {
    const copy = new Uint8Array(p.rawData).buffer;
    return copy.byteLength === n * size ? { type, dims, data: new Ctor(copy) as AnyTensor['data'] } : undefined;
  }
  const list: (number | { toString(): string })[] =
    dtype === DType.FLOAT
      ? (p.floatData ?? [])
      : dtype === DType.DOUBLE
        ? (p.doubleData ?? [])
        : dtype === DType.INT64
          ? (p.int64Data ?? [])
          : dtype === DType.UINT64 || dtype === DType.UINT32
            ? (p.uint64Data ?? [])
            : (p.int32Data ?? []);
  if (list.length !== n) return undefined;
  if (type === 'int64') return { type, dims, data: BigInt64Array.from(list, (v) => BigInt(toNum(v))) };
  if (type === 'uint64') return { type, dims, data: BigUint64Array.from(list, (v) => BigInt(toNum(v))) };
  const data = new Ctor(new ArrayBuffer(n * size)) as unknown as { [i: number]: number };
  list.forEach((v, i) => {
    data[i] = Number(toNum(v));
  });
  return { type, dims, data: data as unknown as AnyTensor['data'] };
}

export function closeEnough(actual: AnyTensor, expected: AnyTensor, rtol = 1e-3, atol = 1e-7): string | undefined {
  if (actual.type !== expected.type) return `type ${actual.type} vs ${expected.type}`;
  if (actual.dims.join(',') !== expected.dims.join(',')) return `shape [${actual.dims}] vs [${expected.dims}]`;
  const a = actual.data as ArrayLike<number | bigint | string>;
  const b = expected.data as ArrayLike<number | bigint | string>;
  const float = ['float32', 'float64', 'float16'].includes(actual.type);
  for (let i = 0; i < b.length; i++) {
    let x = a[i];
    let y = b[i];
    if (actual.type === 'float16') {
      x = float16ToFloat32(x as number);
      y = float16ToFloat32(y as number);
    }
    if (float) {
      const fx = x as number;
      const fy = y as number;
      if (Number.isNaN(fx) && Number.isNaN(fy)) continue;
      if (!(Math.abs(fx - fy) <= atol + rtol * Math.abs(fy)) && fx !== fy) return `element ${i}: ${fx} vs ${fy}`;
    } else if (x !== y) return `element ${i}: ${String(x)} vs ${String(y)}`;
  }
  return undefined;
}
