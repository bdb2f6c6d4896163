/**
 * Tensor values as typed arrays, whichever storage field the file used, and new tensors stored as raw
 * little-endian bytes. ONNX lets a writer pick `raw_data` or a typed repeated field (and packs the small
 * integer types, bool and the 16-bit floats into `int32_data`), so reading has to know every combination;
 * callers then see one array type per dtype and never the storage.
 */
import { err, ok, type Result } from '../pipeline/result.js';
import { DType, type Tensor } from './ir.js';
import { decodeTensor, readBytes } from './serde.js';

/** The array `tensorValues` returns for each dtype; FLOAT16 and BFLOAT16 are their raw 16-bit patterns. */
export type TensorValues =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type ArrayKind = { new (n: number): TensorValues; BYTES_PER_ELEMENT: number };

const ARRAY: Partial<Record<DType, ArrayKind>> = {
  [DType.FLOAT]: Float32Array,
  [DType.DOUBLE]: Float64Array,
  [DType.INT8]: Int8Array,
  [DType.UINT8]: Uint8Array,
  [DType.BOOL]: Uint8Array,
  [DType.INT16]: Int16Array,
  [DType.UINT16]: Uint16Array,
  [DType.FLOAT16]: Uint16Array,
  [DType.BFLOAT16]: Uint16Array,
  [DType.INT32]: Int32Array,
  [DType.UINT32]: Uint32Array,
  [DType.INT64]: BigInt64Array,
  [DType.UINT64]: BigUint64Array,
};

const NAMES = Object.fromEntries(Object.entries(DType).map(([k, v]) => [v, k])) as Record<number, string>;
export const dtypeName = (d: DType): string => NAMES[d] ?? `dtype ${d}`;

export const elementCount = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

const label = (t: Tensor): string =>
  `tensor ${t.name ? `"${t.name}"` : '(unnamed)'} (${dtypeName(t.dtype)} [${t.dims.join(', ')}])`;

/** The element count the dims promise, or why the tensor cannot hold it (negative or non-integer dims). */
export function checkedElementCount(t: Tensor): Result<number, string> {
  const bad = t.dims.find((d) => !Number.isSafeInteger(d) || d < 0);
  if (bad !== undefined)
    return err(`${label(t)}: dimension ${bad} is not a non-negative integer (field TensorProto.dims)`);
  return ok(elementCount(t.dims));
}

type Long = { low: number; high: number; unsigned?: boolean };
type Int64 = number | Long;
const bigOf = (v: Int64, unsigned: boolean): bigint => {
  if (typeof v === 'number') return unsigned ? BigInt.asUintN(64, BigInt(v)) : BigInt(v);
  const b = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return unsigned ? b : BigInt.asIntN(64, b);
};
const intOf = (v: Int64): number => (typeof v === 'number' ? v : v.low | 0);

/**
 * The values of a numeric tensor as the typed array of its dtype. Errors (a value, not a throw) for
 * string and complex tensors, external data, and storage whose length disagrees with the dims.
 */
export function tensorValues(t: Tensor): Result<TensorValues, string> {
  const Kind = ARRAY[t.dtype];
  if (!Kind) return err(`${label(t)}: ${dtypeName(t.dtype)} has no numeric typed-array form`);
  const count = checkedElementCount(t);
  if (!count.ok) return count;
  const n = count.value;
  const p = t.proto;
  if (p.dataLocation === 1)
    return err(
      `${label(t)}: its data is in an external file, which is not supported; save the model with its weights inside`,
    );
  const out = new Kind(n);
  if (p.rawData && p.rawData.length > 0) {
    const size = Kind.BYTES_PER_ELEMENT;
    if (p.rawData.length !== n * size) return mismatch(t, 'raw_data', p.rawData.length / size, n);
    const view = new DataView(p.rawData.buffer, p.rawData.byteOffset, p.rawData.byteLength);
    readRaw(view, out, t.dtype);
    return ok(out);
  }
  return readTypedField(t, out);
}

const mismatch = (t: Tensor, field: string, len: number, n: number): Result<never, string> =>
  err(`${label(t)}: field TensorProto.${field} holds ${len} elements where the dims need ${n}`);

/** The values from the repeated field of the tensor's dtype, into `out` (sized by the dims). */
function readTypedField(t: Tensor, out: TensorValues): Result<TensorValues, string> {
  const p = t.proto;
  const n = out.length;
  const fill = <V>(
    field: string,
    list: readonly V[],
    conv: (v: V) => number | bigint,
  ): Result<TensorValues, string> => {
    if (list.length !== n) return mismatch(t, field, list.length, n);
    const o = out as unknown as { [k: number]: number | bigint };
    for (let k = 0; k < n; k++) o[k] = conv(list[k] as V);
    return ok(out);
  };
  switch (t.dtype) {
    case DType.FLOAT:
      return fill('float_data', p.floatData ?? [], (v) => v);
    case DType.DOUBLE:
      return fill('double_data', p.doubleData ?? [], (v) => v);
    case DType.INT64:
      return fill('int64_data', (p.int64Data ?? []) as Int64[], (v) => bigOf(v, false));
    case DType.UINT64:
      return fill('uint64_data', (p.uint64Data ?? []) as Int64[], (v) => bigOf(v, true));
    case DType.UINT32:
      return fill('uint64_data', (p.uint64Data ?? []) as Int64[], (v) => Number(bigOf(v, true)));
    // int32_data carries every type of 16 bits or fewer; the typed array's conversion keeps the low bits.
    default:
      return fill('int32_data', (p.int32Data ?? []) as Int64[], intOf);
  }
}

function readRaw(view: DataView, out: TensorValues, dtype: DType): void {
  const n = out.length;
  const o = out as unknown as { [k: number]: number | bigint };
  switch (out.BYTES_PER_ELEMENT) {
    case 1:
      for (let k = 0; k < n; k++) o[k] = dtype === DType.INT8 ? view.getInt8(k) : view.getUint8(k);
      return;
    case 2:
      for (let k = 0; k < n; k++)
        o[k] = dtype === DType.INT16 ? view.getInt16(2 * k, true) : view.getUint16(2 * k, true);
      return;
    case 4:
      for (let k = 0; k < n; k++) {
        o[k] =
          dtype === DType.FLOAT
            ? view.getFloat32(4 * k, true)
            : dtype === DType.INT32
              ? view.getInt32(4 * k, true)
              : view.getUint32(4 * k, true);
      }
      return;
    default:
      for (let k = 0; k < n; k++) {
        o[k] =
          dtype === DType.DOUBLE
            ? view.getFloat64(8 * k, true)
            : dtype === DType.INT64
              ? view.getBigInt64(8 * k, true)
              : view.getBigUint64(8 * k, true);
      }
  }
}

const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * A new tensor with `values` as raw little-endian bytes. `values` is what `tensorValues` returns for the
 * dtype (16-bit floats as bit patterns, 64-bit integers as bigints) or plain numbers, which are converted.
 * A Float32Array for a FLOAT tensor is handed over, not copied: the caller must not write to it afterwards.
 * A count that disagrees with `dims` is a bug in the caller, so it throws.
 */
export function makeTensor(
  name: string,
  dtype: DType,
  dims: readonly number[],
  values: ArrayLike<number> | ArrayLike<bigint>,
): Tensor {
  const Kind = ARRAY[dtype];
  if (!Kind) throw new Error(`Internal error: makeTensor cannot store ${dtypeName(dtype)}`);
  const n = elementCount(dims);
  if (values.length !== n)
    throw new Error(`Internal error: makeTensor "${name}": ${values.length} values for dims [${dims.join(', ')}]`);
  if (values instanceof Float32Array && dtype === DType.FLOAT && littleEndian) {
    // Weights: the tensor takes the array's memory as it is (millions of elements, no copy, no walk).
    const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    return { name, dtype, dims: [...dims], proto: { name, dataType: dtype, dims: [...dims], rawData } };
  }
  const typed = new Kind(n);
  const big = dtype === DType.INT64 || dtype === DType.UINT64;
  const o = typed as unknown as { [k: number]: number | bigint };
  for (let k = 0; k < n; k++) {
    const v = values[k] as number | bigint;
    o[k] = big ? (typeof v === 'bigint' ? v : BigInt(Math.trunc(v))) : Number(v);
  }
  const rawData = new Uint8Array(n * Kind.BYTES_PER_ELEMENT);
  writeRaw(new DataView(rawData.buffer), typed, dtype);
  return { name, dtype, dims: [...dims], proto: { name, dataType: dtype, dims: [...dims], rawData } };
}

function writeRaw(view: DataView, values: TensorValues, dtype: DType): void {
  const n = values.length;
  for (let k = 0; k < n; k++) {
    const v = values[k] as number | bigint;
    switch (values.BYTES_PER_ELEMENT) {
      case 1:
        view.setUint8(k, Number(v) & 0xff);
        break;
      case 2:
        view.setUint16(2 * k, Number(v) & 0xffff, true);
        break;
      case 4:
        if (dtype === DType.FLOAT) view.setFloat32(4 * k, Number(v), true);
        else view.setUint32(4 * k, Number(v) >>> 0, true);
        break;
      default:
        if (dtype === DType.DOUBLE) view.setFloat64(8 * k, Number(v), true);
        else view.setBigUint64(8 * k, BigInt.asUintN(64, v as bigint), true);
    }
  }
}

/** Reads one TensorProto file (ONNX test data's `input_0.pb`); failures name the file. */
export async function decodeTensorFile(path: string): Promise<Result<Tensor, string>> {
  const bytes = await readBytes(path);
  if (!bytes.ok) return bytes;
  if (bytes.value.length === 0) return err(`${path}: the file is empty; expected a serialized TensorProto`);
  const t = decodeTensor(bytes.value);
  if (!t.ok) return err(`${path}: ${t.error}; expected a serialized TensorProto such as ONNX test data's input_0.pb`);
  const count = checkedElementCount(t.value);
  return count.ok ? t : err(`${path}: ${count.error}`);
}
