/** Shape rules for the operators that compute a shape, take one, or hold a constant. */
import { DType, type Dim } from '../ir.js';
import { of, type Rule } from './context.js';
import { fmt, known, product, ShapeError } from './dims.js';

export const shapeOp: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(DType.INT64, [null])];
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + x.length : v, 0), x.length);
  const start = clamp(c.int('start', 0));
  const end = clamp(c.int('end', x.length));
  return [of(DType.INT64, [Math.max(end - start, 0)])];
};

export const size: Rule = () => [of(DType.INT64, [])];

export const range: Rule = (c) => [of(c.dtype(0), [null])];

export const constant: Rule = (c) => {
  const t = c.tensor('value');
  if (t) return [of(t.dtype, [...t.dims])];
  const floats = c.node.attributes.find((a) => a.name === 'value_floats')?.value;
  const ints = c.node.attributes.find((a) => a.name === 'value_ints')?.value;
  if (c.has('value_float')) return [of(DType.FLOAT, [])];
  if (c.has('value_int')) return [of(DType.INT64, [])];
  if (floats?.kind === 'floats') return [of(DType.FLOAT, [floats.value.length])];
  if (ints?.kind === 'ints') return [of(DType.INT64, [ints.value.length])];
  if (c.has('value_string')) return [of(DType.STRING, [])];
  if (c.has('value_strings')) return [of(DType.STRING, [null])];
  return [undefined];
};

export const constantOfShape: Rule = (c) => {
  const dtype = c.tensor('value')?.dtype ?? DType.FLOAT;
  const target = c.constant(0);
  if (target) return [of(dtype, target.values)];
  const rank = c.shape(0)?.[0];
  return [of(dtype, known(rank) ? Array<Dim>(rank).fill(null) : undefined)];
};

export const reshape: Rule = (c) => {
  const x = c.shape(0);
  const target = c.constant(1);
  if (!target) {
    const n = c.shape(1)?.[0];
    return [of(c.dtype(0), known(n) ? Array<Dim>(n).fill(null) : undefined)];
  }
  const allowZero = c.int('allowzero', 0) === 1;
  const out: Dim[] = target.values.map((v, i) =>
    v === 0 && !allowZero ? (x ? (x[i] ?? null) : null) : v === -1 ? null : v,
  );
  if (target.values.filter((v) => v === -1).length > 1)
    throw new ShapeError(`shape ${JSON.stringify(target.values)} has more than one -1`);
  if (target.values.some((v) => v < -1))
    throw new ShapeError(`shape ${JSON.stringify(target.values)} has a negative dimension`);
  const total = x ? product(x) : null;
  const inferred = target.values.indexOf(-1);
  const rest = product(out.filter((_, i) => i !== inferred));
  if (known(total) && known(rest)) {
    if (inferred >= 0) {
      if (rest === 0 || total % rest !== 0)
        throw new ShapeError(`cannot reshape ${fmt(x)} to ${JSON.stringify(target.values)}`);
      out[inferred] = total / rest;
    } else if (rest !== total)
      throw new ShapeError(`cannot reshape ${fmt(x)} (${total} elements) to ${fmt(out)} (${rest} elements)`);
  }
  return [of(c.dtype(0), out)];
};
