/**
 * Feeds for a resolved input spec: the same bytes for the same seed on every machine, so a numeric check or a
 * benchmark's correctness compares like with like across runs and engines.
 */
import { float32ToFloat16Bits } from '../float16.js';
import { DType, type Tensor } from '../ir.js';
import type { AnyTensor } from '../ort.js';
import { normalFloats, rng } from '../random.js';
import { tensorValues } from '../tensor.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { checkSize, shapeAt, type InputSpec, type ModelInputs } from './spec.js';

/** One run's inputs: a tensor per graph input, by name, as onnxruntime takes them. */
export type Feeds = Record<string, AnyTensor>;

/** onnxruntime's name for each element type we feed or read back. */
const ORT_TYPE: Partial<Record<DType, AnyTensor['type']>> = {
  [DType.FLOAT]: 'float32',
  [DType.FLOAT16]: 'float16',
  [DType.DOUBLE]: 'float64',
  [DType.INT64]: 'int64',
  [DType.INT32]: 'int32',
  [DType.INT8]: 'int8',
  [DType.UINT8]: 'uint8',
  [DType.BOOL]: 'bool',
  [DType.INT16]: 'int16',
  [DType.UINT16]: 'uint16',
  [DType.UINT32]: 'uint32',
  [DType.UINT64]: 'uint64',
};

/** Values for one input in float64, before conversion to its element type. */
function values(spec: InputSpec, n: number, seed: number): Float64Array | Float32Array {
  const f = spec.fill;
  if (f.kind === 'normal') return normalFloats(n, seed);
  const out = new Float64Array(n);
  if (f.kind === 'value') return out.fill(f.value);
  const r = rng(seed);
  const integer = spec.dtype !== DType.FLOAT && spec.dtype !== DType.FLOAT16 && spec.dtype !== DType.DOUBLE;
  for (let k = 0; k < n; k++) {
    out[k] = integer
      ? Math.floor(f.lo + r.uniform() * (Math.floor(f.hi) - Math.ceil(f.lo) + 1))
      : f.lo + r.uniform() * (f.hi - f.lo);
  }
  return out;
}

function typed(dtype: DType, v: Float64Array | Float32Array): AnyTensor['data'] {
  switch (dtype) {
    case DType.FLOAT:
      return v instanceof Float32Array ? v : Float32Array.from(v);
    case DType.DOUBLE:
      return Float64Array.from(v);
    case DType.FLOAT16:
      return Uint16Array.from(v, float32ToFloat16Bits);
    case DType.INT64:
      return BigInt64Array.from(v, (x) => BigInt(Math.trunc(x)));
    case DType.INT32:
      return Int32Array.from(v);
    case DType.INT8:
      return Int8Array.from(v);
    case DType.UINT8:
      return Uint8Array.from(v);
    case DType.BOOL:
      return Uint8Array.from(v, (x) => (x !== 0 ? 1 : 0));
    default:
      throw new Error(`Internal error: no feed for ${dtype}`);
  }
}

/**
 * Seeded feeds for every input at batch size `batch` (ignored when the batch is fixed). Input k draws from
 * seed + 1000·k, so adding an input does not change the others' values.
 */
export function makeFeeds(spec: ModelInputs, batch: number, seed: number): Result<Feeds, string> {
  const size = checkSize(spec, batch);
  if (!size.ok) return size;
  const feeds: Feeds = {};
  for (const input of spec.inputs) {
    const dims = shapeAt(input, batch);
    const n = dims.reduce((a, b) => a * b, 1);
    const type = ORT_TYPE[input.dtype];
    if (!type) return err(`Internal error: input '${input.name}' has no onnxruntime type`);
    feeds[input.name] = { type, dims, data: typed(input.dtype, values(input, n, seed + 1000 * input.index)) };
  }
  return ok(feeds);
}

/** A TensorProto (check data) as a feed; its element type must be one onnxruntime takes. */
export function tensorFeed(t: Tensor): Result<AnyTensor, string> {
  const type = ORT_TYPE[t.dtype];
  if (!type) return err(`tensor '${t.name}' has element type ${t.dtype}, which onnxruntime-node cannot take`);
  const v = tensorValues(t);
  if (!v.ok) return v;
  const data = t.dtype === DType.BOOL ? Uint8Array.from(v.value as Uint8Array, (x) => (x ? 1 : 0)) : v.value;
  return ok({ type, dims: [...t.dims], data: data as AnyTensor['data'] });
}

/** The batch to check at: the batch dimension's size in the check data, else `fallback`. */
export function batchOf(spec: ModelInputs, shapes: ReadonlyMap<string, readonly number[]>, fallback: number): number {
  for (const input of spec.inputs) {
    const k = input.dims.indexOf('batch');
    const shape = shapes.get(input.name);
    if (k >= 0 && shape) return shape[k]!;
  }
  return fallback;
}
