/**
 * The values of small numeric constants, as shape inference needs them (Reshape's shape, Unsqueeze's
 * axes, Slice's starts...). Read straight from the TensorProto so inference does not depend on how a
 * tensor was stored; anything larger than MAX_ELEMENTS or non-numeric is left unknown.
 */
import { DType, type Tensor } from '../ir.js';

export const MAX_ELEMENTS = 4096;

/** A small numeric constant, known while inferring: what shape arithmetic folds. */
export interface ConstValue {
  /** Its element type. */
  dtype: DType;
  /** Its shape. */
  dims: number[];
  /** Its values, row-major, as numbers. */
  values: number[];
}

const num = (v: number | { toNumber(): number }): number => (typeof v === 'number' ? v : v.toNumber());

export function tensorNumbers(t: Tensor): number[] | undefined {
  const p = t.proto;
  const count = t.dims.reduce((a, b) => a * b, 1);
  if (count > MAX_ELEMENTS || p.dataLocation === 1) return undefined;
  const raw = p.rawData && p.rawData.length > 0 ? p.rawData : undefined;
  let out: number[] | undefined;
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read: Partial<Record<DType, [number, (o: number) => number]>> = {
      [DType.INT64]: [8, (o) => Number(view.getBigInt64(o, true))],
      [DType.INT32]: [4, (o) => view.getInt32(o, true)],
      [DType.FLOAT]: [4, (o) => view.getFloat32(o, true)],
      [DType.DOUBLE]: [8, (o) => view.getFloat64(o, true)],
      [DType.INT8]: [1, (o) => view.getInt8(o)],
      [DType.UINT8]: [1, (o) => view.getUint8(o)],
      [DType.BOOL]: [1, (o) => view.getUint8(o)],
    };
    const r = read[t.dtype];
    if (!r || raw.length !== r[0] * count) return undefined;
    out = Array.from({ length: count }, (_, i) => r[1](i * r[0]));
  } else if (t.dtype === DType.INT64) out = (p.int64Data ?? []).map(num);
  else if (t.dtype === DType.FLOAT) out = [...(p.floatData ?? [])];
  else if (t.dtype === DType.DOUBLE) out = [...(p.doubleData ?? [])];
  else if ([DType.INT32, DType.INT8, DType.UINT8, DType.INT16, DType.UINT16, DType.BOOL].includes(t.dtype as 6))
    out = [...(p.int32Data ?? [])];
  return out && out.length === count ? out : undefined;
}

export function constOf(t: Tensor): ConstValue | undefined {
  const values = tensorNumbers(t);
  return values ? { dtype: t.dtype, dims: [...t.dims], values } : undefined;
}
