/**
 * Constant folding of the small integer computations that feed shapes: a PyTorch export often computes
 * Reshape's target as Shape → Gather → Unsqueeze → Concat. Only what shape rules need, nothing numeric.
 */
import { DType } from '../ir.js';
import type { RuleContext } from './context.js';
import { constOf, type ConstValue } from './constants.js';
import { known } from './dims.js';

type Fold = (c: RuleContext) => ConstValue | undefined;

const ints = (values: number[], dims: number[] = [values.length]): ConstValue => ({ dtype: DType.INT64, dims, values });

const constant: Fold = (c) => {
  const t = c.tensor('value');
  if (t) return constOf(t);
  const v = c.node.attributes.find((a) => a.name === 'value_ints' || a.name === 'value_int')?.value;
  if (v?.kind === 'ints') return ints(v.value);
  if (v?.kind === 'int') return ints([v.value], []);
  return undefined;
};

const shape: Fold = (c) => {
  const s = c.shape(0);
  if (!s || !s.every(known)) return undefined;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + s.length : v, 0), s.length);
  return ints((s as number[]).slice(clamp(c.int('start', 0)), clamp(c.int('end', s.length))));
};

const identity: Fold = (c) => {
  const x = c.constant(0);
  return x && { ...x };
};

const cast: Fold = (c) => {
  const x = c.constant(0);
  return x && { ...x, dtype: c.int('to', 0) as DType };
};

const gather: Fold = (c) => {
  const data = c.constant(0);
  const idx = c.constant(1);
  if (!data || !idx || data.dims.length !== 1 || c.int('axis', 0) !== 0) return undefined;
  const n = data.values.length;
  const picked = idx.values.map((i) => data.values[i < 0 ? i + n : i]);
  return picked.every((v) => v !== undefined)
    ? { dtype: data.dtype, dims: [...idx.dims], values: picked as number[] }
    : undefined;
};

const unsqueeze: Fold = (c) => {
  const x = c.constant(0);
  return x && x.dims.length === 0 ? { ...x, dims: [1] } : undefined;
};

const squeeze: Fold = (c) => {
  const x = c.constant(0);
  return x && x.values.length === 1 ? { ...x, dims: [] } : undefined;
};

const concat: Fold = (c) => {
  const parts = c.node.inputs.map((_, i) => c.constant(i));
  if (parts.some((p) => !p || p.dims.length !== 1)) return undefined;
  const values = parts.flatMap((p) => p!.values);
  return { dtype: parts[0]!.dtype, dims: [values.length], values };
};

/** Integer arithmetic, the second operand broadcast when it is a single value (either way round). */
const arithmetic =
  (f: (x: number, y: number) => number): Fold =>
  (c) => {
    const a = c.constant(0);
    const b = c.constant(1);
    if (!a || !b || a.dtype !== b.dtype || ![DType.INT64, DType.INT32].includes(a.dtype as 7)) return undefined;
    if (a.values.length !== b.values.length && b.values.length !== 1 && a.values.length !== 1) return undefined;
    const n = Math.max(a.values.length, b.values.length);
    const at = (v: ConstValue, i: number) => v.values[v.values.length === 1 ? 0 : i]!;
    return {
      dtype: a.dtype,
      dims: a.values.length >= b.values.length ? a.dims : b.dims,
      values: Array.from({ length: n }, (_, i) => f(at(a, i), at(b, i))),
    };
  };

const folds: Readonly<Record<string, Fold>> = {
  Constant: constant,
  Shape: shape,
  Identity: identity,
  Cast: cast,
  Gather: gather,
  Unsqueeze: unsqueeze,
  Squeeze: squeeze,
  Concat: concat,
  Add: arithmetic((x, y) => x + y),
  Sub: arithmetic((x, y) => x - y),
  Mul: arithmetic((x, y) => x * y),
  Div: arithmetic((x, y) => Math.trunc(x / y)),
};

/** The node's output 0 as a constant, when its operator folds and its inputs are constants. */
export function propagate(c: RuleContext): ConstValue | undefined {
  return Object.hasOwn(folds, c.node.opType) ? folds[c.node.opType]!(c) : undefined;
}
