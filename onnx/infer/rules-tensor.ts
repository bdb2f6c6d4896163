/** Shape rules for elementwise, tensor-manipulation, reduction and constant operators. */
import { DType, type Dim, type TensorType } from '../ir.js';
import type { Rule, RuleContext } from './context.js';
import { axis, broadcast, fmt, known, product, ShapeError } from './dims.js';

const of = (dtype: DType | undefined, shape: Dim[] | undefined): TensorType | undefined =>
  dtype === undefined ? undefined : shape ? { dtype, shape } : { dtype };

const copy = (s: readonly Dim[] | undefined): Dim[] | undefined => (s ? [...s] : undefined);

/** Output 0 has input 0's type and shape; any further output (LayerNormalization's statistics) is not inferred. */
export const same: Rule = (c) => [of(c.dtype(0), copy(c.shape(0)))];

export const sameBool: Rule = (c) => [of(DType.BOOL, copy(c.shape(0)))];

export const dropout: Rule = (c) => [of(c.dtype(0), copy(c.shape(0))), of(DType.BOOL, copy(c.shape(0)))];

const inputShapes = (c: RuleContext) => c.node.inputs.map((_, i) => c.shape(i));

/**
 * Before opset 7 the binary operators broadcast the ONNX-1 way (B onto A, by the `broadcast` and `axis`
 * attributes; PRelu's slope per channel), so the output simply has A's shape.
 */
const outShape = (c: RuleContext) => (c.opset < 7 ? copy(c.shape(0)) : broadcast(inputShapes(c)));

export const broadcastOp: Rule = (c) => [of(c.dtype(0), outShape(c))];
export const compare: Rule = (c) => [of(DType.BOOL, outShape(c))];
export const where: Rule = (c) => [of(c.dtype(1), broadcast(inputShapes(c)))];

export const cast: Rule = (c) => [of(c.int('to', DType.UNDEFINED) as DType, copy(c.shape(0)))];
export const castLike: Rule = (c) => [of(c.dtype(1), copy(c.shape(0)))];

export const shapeOp: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(DType.INT64, [null])];
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + x.length : v, 0), x.length);
  const start = clamp(c.int('start', 0));
  const end = clamp(c.int('end', x.length));
  return [of(DType.INT64, [Math.max(end - start, 0)])];
};

export const size: Rule = () => [of(DType.INT64, [])];

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

export const transpose: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  const perm = c.ints('perm') ?? x.map((_, i) => x.length - 1 - i);
  if (perm.length !== x.length || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) {
    throw new ShapeError(`perm ${JSON.stringify(perm)} is not a permutation of rank ${x.length}`);
  }
  return [
    of(
      c.dtype(0),
      perm.map((p) => x[p]!),
    ),
  ];
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
  return [
    of(
      c.dtype(0),
      Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!)),
    ),
  ];
};

export const squeeze: Rule = (c) => {
  const x = c.shape(0);
  const axes = axesOf(c, 13);
  if (!x || axes === 'unknown') return [of(c.dtype(0), undefined)];
  if (!axes) return [of(c.dtype(0), x.every(known) ? x.filter((d) => d !== 1) : undefined)];
  const at = new Set(axes.map((a) => axis(a, x.length, 'axes entry')));
  for (const a of at)
    if (known(x[a]) && x[a] !== 1) throw new ShapeError(`cannot squeeze axis ${a} of size ${x[a]} in ${fmt(x)}`);
  return [
    of(
      c.dtype(0),
      x.filter((_, i) => !at.has(i)),
    ),
  ];
};

export const expand: Rule = (c) => {
  const target = c.constant(1);
  return [of(c.dtype(0), target ? broadcast([c.shape(0), target.values]) : undefined)];
};

export const tile: Rule = (c) => {
  const x = c.shape(0);
  const reps = c.constant(1);
  if (!x || !reps) return [of(c.dtype(0), x ? x.map(() => null) : undefined)];
  if (reps.values.length !== x.length)
    throw new ShapeError(`repeats ${JSON.stringify(reps.values)} do not match rank ${x.length}`);
  return [
    of(
      c.dtype(0),
      x.map((d, i) => (known(d) ? d * reps.values[i]! : null)),
    ),
  ];
};

/** Pad: `pads` for every axis, or from opset 18 for the axes of a 4th input only. */
export const pad: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  const pads = c.opset < 11 ? (c.ints('pads') ?? c.ints('paddings')) : c.constant(1)?.values;
  const given = c.opset >= 18 && c.present(3) ? c.constant(3)?.values : x.map((_, i) => i);
  if (!pads || !given)
    return [
      of(
        c.dtype(0),
        x.map(() => null),
      ),
    ];
  const n = given.length;
  if (pads.length !== 2 * n) {
    throw new ShapeError(`pads ${JSON.stringify(pads)} must have ${2 * n} entries for ${n} axes`);
  }
  const out = [...x];
  given.forEach((a0, i) => {
    const a = axis(a0, x.length, 'axes entry');
    const d = x[a];
    out[a] = known(d) ? d + pads[i]! + pads[i + n]! : null;
  });
  return [of(c.dtype(0), out)];
};

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
  if (!starts || !ends || !axes || !steps)
    return [
      of(
        c.dtype(0),
        x.map(() => null),
      ),
    ];
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
  if (!x) return c.node.outputs.map(() => of(c.dtype(0), undefined));
  const a = axis(c.int('axis', 0), x.length);
  const given = c.opset >= 13 ? c.present(1) : c.has('split');
  const sizes = c.opset >= 13 ? (given ? c.constant(1)?.values : undefined) : c.ints('split');
  const d = x[a];
  // From opset 18 `num_outputs` may split unevenly: every part ceil(d / n) long, the last what remains.
  if (!given && c.opset >= 18 && c.has('num_outputs') && known(d)) {
    const chunk = Math.ceil(d / n);
    const parts = c.node.outputs.map((_, i) => (i < n - 1 ? chunk : d - chunk * (n - 1)));
    return parts.map((p) =>
      of(
        c.dtype(0),
        x.map((dim, j) => (j === a ? p : dim)),
      ),
    );
  }
  const parts = sizes ?? (!given && known(d) ? Array<number>(n).fill(d / n) : undefined);
  if (sizes && sizes.length !== n)
    throw new ShapeError(`split ${JSON.stringify(sizes)} has ${sizes.length} entries for ${n} outputs`);
  if (!given && known(d) && d % n !== 0)
    throw new ShapeError(`axis ${a} of size ${d} does not split evenly into ${n} outputs`);
  return c.node.outputs.map((_, i) =>
    of(
      c.dtype(0),
      x.map((dim, j) => (j === a ? (parts ? parts[i]! : null) : dim)),
    ),
  );
};

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

export const range: Rule = (c) => [of(c.dtype(0), [null])];

/** QuantizeLinear's type: `output_dtype` (opset 21), else the zero point's, else uint8. */
export const quantize: Rule = (c) => [
  of(c.has('output_dtype') ? (c.int('output_dtype', 0) as DType) : (c.dtype(2) ?? DType.UINT8), copy(c.shape(0))),
];
/** DequantizeLinear yields its scale's type (float until opset 19, which allows float16 and bfloat16 too). */
export const dequantize: Rule = (c) => [of(c.dtype(1) ?? DType.FLOAT, copy(c.shape(0)))];

export const eyeLike: Rule = (c) => [of(c.has('dtype') ? (c.int('dtype', 0) as DType) : c.dtype(0), copy(c.shape(0)))];

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
  return [
    of(
      c.dtype(0),
      c.node.opType === 'DepthToSpace'
        ? [n, div(ch, b * b), mul(h, b), mul(w, b)]
        : [n, mul(ch, b * b), div(h, b), div(w, b)],
    ),
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

/**
 * Resize (and Upsample before it): output sizes from a constant `sizes`, or input × constant `scales`. From
 * opset 18 they may cover only the `axes` given, and a `keep_aspect_ratio_policy` other than stretch rescales
 * the sizes: those cases are left unknown.
 */
export const resize: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  if (c.opset >= 18 && (c.has('axes') || c.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch')) {
    return [
      of(
        c.dtype(0),
        x.map(() => null),
      ),
    ];
  }
  const opset11 = c.node.opType === 'Resize' && c.opset >= 11;
  const sizes = opset11 && c.present(3) ? c.constant(3)?.values : undefined;
  if (sizes && sizes.length > 0) {
    if (sizes.length !== x.length)
      return [
        of(
          c.dtype(0),
          x.map(() => null),
        ),
      ];
    return [of(c.dtype(0), [...sizes])];
  }
  const scaleInput = opset11 ? 2 : 1;
  const scales =
    c.node.opType === 'Upsample' && c.opset < 9 ? c.node.attributes.find((a) => a.name === 'scales')?.value : undefined;
  const factors = scales?.kind === 'floats' ? scales.value : c.constant(scaleInput)?.values;
  if (!factors || factors.length !== x.length)
    return [
      of(
        c.dtype(0),
        x.map(() => null),
      ),
    ];
  return [
    of(
      c.dtype(0),
      x.map((d, i) => (known(d) ? Math.floor(d * factors[i]!) : null)),
    ),
  ];
};
