/** Shape rules for the reductions: Reduce*, ArgMax/ArgMin, TopK. */
import { DType } from '../ir.js';
import { of, type Rule } from './context.js';
import { axis } from './dims.js';

/** Reductions: axes from the attribute, or from input 1 (ReduceSum from opset 13, every reduction from 18). */
export const reduce: Rule = (c) => {
  const x = c.shape(0);
  const keep = c.int('keepdims', 1) === 1;
  const fromInput = (c.node.opType === 'ReduceSum' && c.opset >= 13) || c.opset >= 18;
  const axes = fromInput ? (c.present(1) ? c.constant(1)?.values : []) : (c.ints('axes') ?? []);
  if (!x || !axes) return [of(c.dtype(0), undefined)];
  const noop = fromInput && c.int('noop_with_empty_axes', 0) === 1 && axes.length === 0;
  if (noop) return [of(c.dtype(0), [...x])];
  const at = new Set(axes.length ? axes.map((a) => axis(a, x.length, 'axes entry')) : x.map((_, i) => i));
  return [of(c.dtype(0), keep ? x.map((d, i) => (at.has(i) ? 1 : d)) : x.filter((_, i) => !at.has(i)))];
};

export const argReduce: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(DType.INT64, undefined)];
  const a = axis(c.int('axis', 0), x.length);
  return [
    of(DType.INT64, c.int('keepdims', 1) === 1 ? x.map((d, i) => (i === a ? 1 : d)) : x.filter((_, i) => i !== a)),
  ];
};

export const topK: Rule = (c) => {
  const x = c.shape(0);
  const k = c.opset >= 10 ? c.constant(1)?.values[0] : c.int('k', 0);
  if (!x) return [of(c.dtype(0), undefined), of(DType.INT64, undefined)];
  const a = axis(c.int('axis', -1), x.length);
  const shape = x.map((d, i) => (i === a ? (k ?? null) : d));
  return [of(c.dtype(0), shape), of(DType.INT64, [...shape])];
};
