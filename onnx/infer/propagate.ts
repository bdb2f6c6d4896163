/**
 * Constant folding of the small integer computations that feed shapes: a PyTorch export often computes
 * Reshape's target as Shape → Gather → Unsqueeze → Concat. Only what shape rules need, nothing numeric.
 */
import { DType } from '../ir.js';
import type { RuleContext } from './context.js';
import { constOf, type ConstValue } from './constants.js';
import { known } from './dims.js';

const ints = (values: number[], dims: number[] = [values.length]): ConstValue => ({ dtype: DType.INT64, dims, values });

export function propagate(c: RuleContext): ConstValue | undefined {
  const k = (i: number) => c.constant(i);
  switch (c.node.opType) {
    case 'Constant': {
      const t = c.tensor('value');
      if (t) return constOf(t);
      const v = c.node.attributes.find((a) => a.name === 'value_ints' || a.name === 'value_int')?.value;
      if (v?.kind === 'ints') return ints(v.value);
      if (v?.kind === 'int') return ints([v.value], []);
      return undefined;
    }
    case 'Shape': {
      const s = c.shape(0);
      if (!s || !s.every(known)) return undefined;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + s.length : v, 0), s.length);
      return ints((s as number[]).slice(clamp(c.int('start', 0)), clamp(c.int('end', s.length))));
    }
    case 'Identity':
    case 'Cast':
      return k(0) && { ...k(0)!, dtype: c.node.opType === 'Cast' ? (c.int('to', 0) as DType) : k(0)!.dtype };
    case 'Gather': {
      const data = k(0);
      const idx = k(1);
      if (!data || !idx || data.dims.length !== 1 || c.int('axis', 0) !== 0) return undefined;
      const n = data.values.length;
      const picked = idx.values.map((i) => data.values[i < 0 ? i + n : i]);
      return picked.every((v) => v !== undefined)
        ? { dtype: data.dtype, dims: [...idx.dims], values: picked as number[] }
        : undefined;
    }
    case 'Unsqueeze': {
      const x = k(0);
      return x && x.dims.length === 0 ? { ...x, dims: [1] } : undefined;
    }
    case 'Squeeze': {
      const x = k(0);
      return x && x.values.length === 1 ? { ...x, dims: [] } : undefined;
    }
    case 'Concat': {
      const parts = c.node.inputs.map((_, i) => k(i));
      if (parts.some((p) => !p || p.dims.length !== 1)) return undefined;
      const values = parts.flatMap((p) => p!.values);
      return { dtype: parts[0]!.dtype, dims: [values.length], values };
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const a = k(0);
      const b = k(1);
      if (!a || !b || a.dtype !== b.dtype || ![DType.INT64, DType.INT32].includes(a.dtype as 7)) return undefined;
      if (a.values.length !== b.values.length && b.values.length !== 1 && a.values.length !== 1) return undefined;
      const n = Math.max(a.values.length, b.values.length);
      const at = (v: ConstValue, i: number) => v.values[v.values.length === 1 ? 0 : i]!;
      const f = {
        Add: (x: number, y: number) => x + y,
        Sub: (x: number, y: number) => x - y,
        Mul: (x: number, y: number) => x * y,
        Div: (x: number, y: number) => Math.trunc(x / y),
      }[c.node.opType];
      return {
        dtype: a.dtype,
        dims: a.values.length >= b.values.length ? a.dims : b.dims,
        values: Array.from({ length: n }, (_, i) => f(at(a, i), at(b, i))),
      };
    }
    default:
      return undefined;
  }
}
