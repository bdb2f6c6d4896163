/**
 * The passes' view of constants, on top of onnx/tensor.ts: values as plain numbers (float16 decoded,
 * int64 as numbers: folded shapes never pass 2^53), and two float32 fast paths that BatchNormalization
 * folding needs on MobileNetV2's 3.5M weights: reading without a copy and handing an array over without one.
 * Unreadable storage reads as undefined, and a rule that meets it declines rather than guesses.
 */
import { DType, type Tensor } from '../ir.js';
import { float16ToFloat32, float32ToFloat16Bits } from '../float16.js';
import { elementCount, makeTensor as makeStoredTensor, tensorValues } from '../tensor.js';

export { elementCount };

// Typed-array views read the host's byte order; ONNX stores little-endian.
const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export function tensorNumbers(t: Tensor): Float64Array | undefined {
  const r = tensorValues(t);
  if (!r.ok) return undefined;
  const v = r.value;
  if (t.dtype === DType.FLOAT16) return Float64Array.from(v as Uint16Array, float16ToFloat32);
  if (t.dtype === DType.BFLOAT16) return undefined;
  return v instanceof BigInt64Array || v instanceof BigUint64Array
    ? Float64Array.from(v, Number)
    : Float64Array.from(v as ArrayLike<number>);
}

/** float32 values; may be a view of the tensor's own bytes, so callers must not write to it. */
export function floatValues(t: Tensor): Float32Array | undefined {
  if (t.dtype !== DType.FLOAT) return undefined;
  const raw = t.proto.rawData;
  if (littleEndian && raw && raw.length > 0 && t.proto.dataLocation !== 1 && raw.byteOffset % 4 === 0) {
    const n = elementCount(t.dims);
    return raw.length === 4 * n ? new Float32Array(raw.buffer, raw.byteOffset, n) : undefined;
  }
  const r = tensorValues(t);
  return r.ok ? (r.value as Float32Array) : undefined;
}

/**
 * A new tensor of `values` (plain numbers, float16 included) in `dtype`. A float32 tensor made from a
 * Float32Array keeps that array's memory: the caller hands it over and must not write to it again.
 */
export function makeTensor(name: string, dtype: DType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  if (dtype === DType.FLOAT && littleEndian && values instanceof Float32Array) {
    const rawData = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    return { name, dtype, dims: [...dims], proto: { name, dataType: dtype, dims: [...dims], rawData } };
  }
  if (dtype === DType.FLOAT16)
    return makeStoredTensor(name, dtype, dims, Uint16Array.from(values, float32ToFloat16Bits));
  return makeStoredTensor(name, dtype, dims, values);
}
