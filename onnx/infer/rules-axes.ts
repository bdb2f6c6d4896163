/** Shape rules for the operators that add, drop or reorder axes. */
import type { Dim } from '../ir.js';
import { of, type Rule, type RuleContext } from './context.js';
import { axis, fmt, known, ShapeError } from './dims.js';

export const transpose: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  const perm = c.ints('perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
    throw new ShapeError(`perm ${JSON.stringify(perm)} is not a permutation of rank ${x.length}`);
  }
  const permuted = perm.map((p) => x[p]!);
  return [of(c.dtype(0), permuted)];
};

/** Axes from the attribute (before `inputFrom`) or from a constant input 1. */
function axesOf(c: RuleContext, inputFrom: number): number[] | undefined | 'unknown' {
  if (c.opset < inputFrom) return c.ints('axes');
  if (!c.present(1)) return undefined;
  return c.constant(1)?.values ?? 'unknown';
}

export const unsqueeze: Rule = (c) => {
  const x = c.shape(0);
  const axes = axesOf(c, 13);
  if (!x || axes === 'unknown') return [of(c.dtype(0), undefined)];
  if (!axes) throw new ShapeError('Unsqueeze needs axes');
  const rank = x.length + axes.length;
  const at = new Set(axes.map((a) => axis(a, rank, 'axes entry')));
  if (at.size !== axes.length) throw new ShapeError(`axes ${JSON.stringify(axes)} repeat an axis`);
  const rest = [...x];
  const out = Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!));
  return [of(c.dtype(0), out)];
};

export const squeeze: Rule = (c) => {
  const x = c.shape(0);
  const axes = axesOf(c, 13);
  if (!x || axes === 'unknown') return [of(c.dtype(0), undefined)];
  if (!axes) return [of(c.dtype(0), x.every(known) ? x.filter((d) => d !== 1) : undefined)];
  const at = new Set(axes.map((a) => axis(a, x.length, 'axes entry')));
  for (const a of at)
    if (known(x[a]) && x[a] !== 1) throw new ShapeError(`cannot squeeze axis ${a} of size ${x[a]} in ${fmt(x)}`);
  const out = x.filter((_, i) => !at.has(i));
  return [of(c.dtype(0), out)];
};

/** DepthToSpace and SpaceToDepth: channels and spatial dimensions trade a factor of blocksize². */
export const depthSpace: Rule = (c) => {
  const x = c.shape(0);
  const b = c.int('blocksize', 0);
  if (!x) return [of(c.dtype(0), undefined)];
  if (x.length !== 4) throw new ShapeError(`${c.node.opType} input must be 4-D, got ${fmt(x)}`);
  const [n, ch, h, w] = x as [Dim, Dim, Dim, Dim];
  const mul = (d: Dim, f: number) => (known(d) ? d * f : null);
  const div = (d: Dim, f: number) => {
    if (!known(d)) return null;
    if (d % f !== 0) throw new ShapeError(`dimension ${d} of ${fmt(x)} is not divisible by ${f}`);
    return d / f;
  };
  const out =
    c.node.opType === 'DepthToSpace'
      ? [n, div(ch, b * b), mul(h, b), mul(w, b)]
      : [n, mul(ch, b * b), div(h, b), div(w, b)];
  return [of(c.dtype(0), out)];
};
