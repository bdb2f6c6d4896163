/** Shape rules for the operators that take parts of tensors or join them: Concat, Gather, Slice, Split. */
import type { Dim } from '../ir.js';
import { copy, of, unknownDims, type Rule } from './context.js';
import { axis, fmt, known, ShapeError } from './dims.js';

export const concat: Rule = (c) => {
  const shapes = c.node.inputs.map((_, i) => c.shape(i));
  const first = shapes.find((s) => s !== undefined);
  if (!first) return [of(c.dtype(0), undefined)];
  const a = axis(c.int('axis', 0), first.length);
  const out = [...first];
  let sum: Dim = 0;
  for (const s of shapes) {
    if (!s) {
      sum = null;
      continue;
    }
    if (s.length !== first.length) throw new ShapeError(`inputs differ in rank: ${fmt(first)} and ${fmt(s)}`);
    s.forEach((d, i) => {
      if (i === a) return;
      if (known(d) && known(out[i]) && d !== out[i])
        throw new ShapeError(`inputs ${fmt(first)} and ${fmt(s)} differ outside axis ${a}`);
      if (!known(out[i]) && known(d)) out[i] = d;
    });
    sum = known(sum) && known(s[a]) ? sum + s[a] : null;
  }
  out[a] = sum;
  return [of(c.dtype(0), out)];
};

export const gather: Rule = (c) => {
  const x = c.shape(0);
  const idx = c.shape(1);
  if (!x || !idx) return [of(c.dtype(0), undefined)];
  if (x.length === 0) throw new ShapeError('Gather data must not be a scalar');
  const a = axis(c.int('axis', 0), x.length);
  return [of(c.dtype(0), [...x.slice(0, a), ...idx, ...x.slice(a + 1)])];
};

export const gatherElements: Rule = (c) => [of(c.dtype(0), copy(c.shape(1)))];

export const slice: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  const fromInputs = c.opset >= 10;
  const starts = fromInputs ? c.constant(1)?.values : c.ints('starts');
  const ends = fromInputs ? c.constant(2)?.values : c.ints('ends');
  const axes = fromInputs
    ? c.present(3)
      ? c.constant(3)?.values
      : starts?.map((_, i) => i)
    : (c.ints('axes') ?? starts?.map((_, i) => i));
  const steps = fromInputs && c.present(4) ? c.constant(4)?.values : starts?.map(() => 1);
  if (!starts || !ends || !axes || !steps) return [of(c.dtype(0), unknownDims(x))];
  const out = [...x];
  axes.forEach((a0, i) => {
    const a = axis(a0, x.length, 'axes entry');
    const d = x[a];
    if (!known(d)) {
      out[a] = null;
      return;
    }
    const step = steps[i]!;
    if (step === 0) throw new ShapeError('Slice step must not be 0');
    const clamp = (v: number, lo: number, hi: number) => Math.min(Math.max(v < 0 ? v + d : v, lo), hi);
    const s = step > 0 ? clamp(starts[i]!, 0, d) : clamp(starts[i]!, -1, d - 1);
    const e = step > 0 ? clamp(ends[i]!, 0, d) : clamp(ends[i]!, -1, d - 1);
    out[a] = Math.max(0, Math.ceil((e - s) / step));
  });
  return [of(c.dtype(0), out)];
};

export const split: Rule = (c) => {
  const x = c.shape(0);
  const n = c.node.outputs.length;
  const given = c.opset >= 13 ? c.present(1) : c.has('split');
  // Split-18 no longer splits evenly by its output count alone (onnx.checker 1.23 refuses it too).
  if (!given && c.opset >= 18 && !c.has('num_outputs'))
    throw new ShapeError("from opset 18 Split needs its 'split' input or the num_outputs attribute");
  if (!x) return c.node.outputs.map(() => of(c.dtype(0), undefined));
  const a = axis(c.int('axis', 0), x.length);
  const sizes = c.opset >= 13 ? (given ? c.constant(1)?.values : undefined) : c.ints('split');
  const d = x[a];
  const part = (size: Dim) =>
    of(
      c.dtype(0),
      x.map((dim, j) => (j === a ? size : dim)),
    );
  // From opset 18 `num_outputs` may split unevenly: every part ceil(d / n) long, the last what remains.
  if (!given && c.opset >= 18 && c.has('num_outputs') && known(d)) {
    const chunk = Math.ceil(d / n);
    return c.node.outputs.map((_, i) => part(i < n - 1 ? chunk : d - chunk * (n - 1)));
  }
  const parts = sizes ?? (!given && known(d) ? Array<number>(n).fill(d / n) : undefined);
  if (sizes && sizes.length !== n)
    throw new ShapeError(`split ${JSON.stringify(sizes)} has ${sizes.length} entries for ${n} outputs`);
  if (!given && known(d) && d % n !== 0)
    throw new ShapeError(`axis ${a} of size ${d} does not split evenly into ${n} outputs`);
  return c.node.outputs.map((_, i) => part(parts ? parts[i]! : null));
};
