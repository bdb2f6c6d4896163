/**
 * Does a TensorProto hold exactly as many values as its dims say, in one storage field that fits its
 * type? The reference checker's rule (check_tensor); a wrong initializer length is a common corruption.
 */
import { DType, type Tensor } from '../ir.js';

const BYTES: Partial<Record<DType, number>> = {
  [DType.FLOAT]: 4,
  [DType.UINT8]: 1,
  [DType.INT8]: 1,
  [DType.UINT16]: 2,
  [DType.INT16]: 2,
  [DType.INT32]: 4,
  [DType.INT64]: 8,
  [DType.BOOL]: 1,
  [DType.FLOAT16]: 2,
  [DType.DOUBLE]: 8,
  [DType.UINT32]: 4,
  [DType.UINT64]: 8,
  [DType.COMPLEX64]: 8,
  [DType.COMPLEX128]: 16,
  [DType.BFLOAT16]: 2,
  [DType.FLOAT8E4M3FN]: 1,
  [DType.FLOAT8E4M3FNUZ]: 1,
  [DType.FLOAT8E5M2]: 1,
  [DType.FLOAT8E5M2FNUZ]: 1,
  [DType.UINT4]: 0.5,
  [DType.INT4]: 0.5,
};

/** 4-bit elements are packed two to a byte (and two to an int32_data entry), the last byte half used if odd. */
const packed = (count: number, dtype: DType) => (BYTES[dtype] === 0.5 ? Math.ceil(count / 2) : count);

type Field = 'floatData' | 'int32Data' | 'int64Data' | 'stringData' | 'doubleData' | 'uint64Data';

/** The typed field a dtype may use, and how many entries one element takes there. */
function typedField(dtype: DType): [Field, number] | undefined {
  switch (dtype) {
    case DType.FLOAT:
      return ['floatData', 1];
    case DType.COMPLEX64:
      return ['floatData', 2];
    case DType.INT32:
    case DType.INT16:
    case DType.INT8:
    case DType.UINT16:
    case DType.UINT8:
    case DType.BOOL:
    case DType.FLOAT16:
    case DType.BFLOAT16:
    case DType.FLOAT8E4M3FN:
    case DType.FLOAT8E4M3FNUZ:
    case DType.FLOAT8E5M2:
    case DType.FLOAT8E5M2FNUZ:
    case DType.UINT4:
    case DType.INT4:
      return ['int32Data', 1];
    case DType.INT64:
      return ['int64Data', 1];
    case DType.STRING:
      return ['stringData', 1];
    case DType.DOUBLE:
      return ['doubleData', 1];
    case DType.COMPLEX128:
      return ['doubleData', 2];
    case DType.UINT32:
    case DType.UINT64:
      return ['uint64Data', 1];
    default:
      return undefined;
  }
}

const FIELDS: Field[] = ['floatData', 'int32Data', 'int64Data', 'stringData', 'doubleData', 'uint64Data'];

/** Undefined when the tensor is consistent; otherwise what is wrong, in one sentence. */
export function tensorProblem(t: Tensor): string | undefined {
  const p = t.proto;
  if (t.dtype === DType.UNDEFINED || (BYTES[t.dtype] === undefined && t.dtype !== DType.STRING))
    return `has no valid data type (${t.dtype})`;
  if (t.dims.some((d) => !Number.isInteger(d) || d < 0)) return `has invalid dims [${t.dims.join(', ')}]`;
  if (p.dataLocation === 1) return undefined;
  const count = t.dims.reduce((a, b) => a * b, 1);
  const raw = p.rawData?.length ?? 0;
  const present = FIELDS.filter((f) => (p[f]?.length ?? 0) > 0);
  const fields = present.length + (raw > 0 ? 1 : 0);
  if (count === 0) return fields === 0 ? undefined : `has dims [${t.dims.join(', ')}] (no elements) but holds data`;
  if (fields !== 1)
    return fields === 0
      ? `holds no data for its ${count} elements`
      : `holds data in ${fields} fields; a tensor has exactly one`;
  if (raw > 0) {
    if (t.dtype === DType.STRING) return 'is a string tensor stored in raw_data, which strings cannot use';
    const want = Math.ceil(count * BYTES[t.dtype]!);
    return raw === want ? undefined : `has ${raw} bytes of raw_data but dims [${t.dims.join(', ')}] need ${want}`;
  }
  const expected = typedField(t.dtype);
  const field = present[0]!;
  if (!expected || expected[0] !== field) return `stores its values in ${field}, which its data type does not use`;
  const have = p[field]!.length;
  const want = packed(count, t.dtype) * expected[1];
  return have === want ? undefined : `has ${have} values in ${field} but dims [${t.dims.join(', ')}] need ${want}`;
}
