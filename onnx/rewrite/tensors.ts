/**
 * Reading and making the constant tensors the passes fold: float32, float16, double and the integer
 * types, from any storage a file may use except external data. Unknown storage reads as undefined,
 * and a rule that meets it declines rather than guesses.
 */
import { DType, type Tensor } from '../ir.js';
import { float16ToFloat32, float32ToFloat16Bits } from '../float16.js';

type Num = number | { toNumber(): number };
const num = (v: Num): number => (typeof v === 'number' ? v : v.toNumber());

const RAW: Partial<Record<DType, [number, (d: DataView, o: number) => number]>> = {
  [DType.FLOAT]: [4, (d, o) => d.getFloat32(o, true)],
  [DType.DOUBLE]: [8, (d, o) => d.getFloat64(o, true)],
  [DType.FLOAT16]: [2, (d, o) => float16ToFloat32(d.getUint16(o, true))],
  [DType.INT64]: [8, (d, o) => Number(d.getBigInt64(o, true))],
  [DType.UINT64]: [8, (d, o) => Number(d.getBigUint64(o, true))],
  [DType.INT32]: [4, (d, o) => d.getInt32(o, true)],
  [DType.UINT32]: [4, (d, o) => d.getUint32(o, true)],
  [DType.INT16]: [2, (d, o) => d.getInt16(o, true)],
  [DType.UINT16]: [2, (d, o) => d.getUint16(o, true)],
  [DType.INT8]: [1, (d, o) => d.getInt8(o)],
  [DType.UINT8]: [1, (d, o) => d.getUint8(o)],
  [DType.BOOL]: [1, (d, o) => d.getUint8(o)],
};

export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** The values as plain numbers (int64 beyond 2^53 loses precision; folded shapes never get there). */
export function tensorNumbers(t: Tensor): Float64Array | undefined {
  const p = t.proto;
  const n = elementCount(t.dims);
  if (p.dataLocation === 1) return undefined;
  const out = new Float64Array(n);
  if (p.rawData && p.rawData.length > 0) {
    const r = RAW[t.dtype];
    if (!r || p.rawData.length !== r[0] * n) return undefined;
    const view = new DataView(p.rawData.buffer, p.rawData.byteOffset, p.rawData.byteLength);
    for (let i = 0; i < n; i++) out[i] = r[1](view, i * r[0]);
    return out;
  }
  const list: readonly Num[] | undefined =
    t.dtype === DType.FLOAT ? p.floatData ?? []
    : t.dtype === DType.DOUBLE ? p.doubleData ?? []
    : t.dtype === DType.INT64 ? p.int64Data ?? []
    : t.dtype === DType.UINT64 || t.dtype === DType.UINT32 ? p.uint64Data ?? []
    : ([DType.INT32, DType.INT16, DType.UINT16, DType.INT8, DType.UINT8, DType.BOOL] as number[]).includes(t.dtype) ? p.int32Data ?? []
    : undefined;
  if (!list || list.length !== n) return undefined;
  for (let i = 0; i < n; i++) out[i] = num(list[i] as Num);
  return out;
}

// Typed-array views read the host's byte order; ONNX stores little-endian.
const littleEndian = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** float32 values; may be a view of the tensor's own bytes, so callers must not write to it. */
export function floatValues(t: Tensor): Float32Array | undefined {
  if (t.dtype !== DType.FLOAT) return undefined;
  const raw = t.proto.rawData;
  const n = elementCount(t.dims);
  if (littleEndian && raw && raw.length > 0 && t.proto.dataLocation !== 1) {
    if (raw.length !== 4 * n) return undefined;
    // A view needs 4-byte alignment; protobuf's decoded buffers often lack it, and then we copy.
    return raw.byteOffset % 4 === 0 ? new Float32Array(raw.buffer, raw.byteOffset, n) : new Float32Array(new Uint8Array(raw).buffer);
  }
  const v = tensorNumbers(t);
  return v && Float32Array.from(v);
}

/**
 * A new tensor stored as raw little-endian bytes; `values` are converted to `dtype`. A float32 tensor made
 * from a Float32Array keeps that array's memory: the caller hands it over and must not write to it again.
 */
export function makeTensor(name: string, dtype: DType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  if (dtype === DType.FLOAT && littleEndian) {
    const f = values instanceof Float32Array ? values : Float32Array.from(values);
    const bytes = new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
    return { name, dtype, dims: [...dims], proto: { name, dataType: dtype, dims: [...dims], rawData: bytes } };
  }
  const size = RAW[dtype]?.[0];
  if (size === undefined) throw new Error(`Internal error: makeTensor cannot store dtype ${dtype}`);
  const bytes = new Uint8Array(values.length * size);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) write(view, dtype, i * size, values[i] as number);
  return { name, dtype, dims: [...dims], proto: { name, dataType: dtype, dims: [...dims], rawData: bytes } };
}

function write(d: DataView, dtype: DType, o: number, x: number): void {
  switch (dtype) {
    case DType.FLOAT: return d.setFloat32(o, x, true);
    case DType.DOUBLE: return d.setFloat64(o, x, true);
    case DType.FLOAT16: return d.setUint16(o, float32ToFloat16Bits(x), true);
    case DType.INT64: return d.setBigInt64(o, BigInt(Math.trunc(x)), true);
    case DType.UINT64: return d.setBigUint64(o, BigInt(Math.trunc(x)), true);
    case DType.INT32: return d.setInt32(o, x, true);
    case DType.UINT32: return d.setUint32(o, x, true);
    case DType.INT16: return d.setInt16(o, x, true);
    case DType.UINT16: return d.setUint16(o, x, true);
    case DType.INT8: return d.setInt8(o, x);
    case DType.UINT8: case DType.BOOL: return d.setUint8(o, x);
    default: throw new Error(`Internal error: makeTensor cannot store dtype ${dtype}`);
  }
}
