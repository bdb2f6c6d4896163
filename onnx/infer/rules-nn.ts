/** Shape rules for the convolution, pooling and matrix operators. */
import type { Dim } from '../ir.js';
import { of, requireRank, type Rule, type RuleContext } from './context.js';
import { fmt, known, product, ShapeError } from './dims.js';

/** Output spatial sizes of a sliding window (Conv, AveragePool, MaxPool), per ONNX's formulas. */
function windowed(c: RuleContext, input: readonly Dim[], kernel: readonly number[], ceil: boolean): Dim[] {
  const n = kernel.length;
  const strides = c.ints('strides') ?? Array<number>(n).fill(1);
  const dilations = c.ints('dilations') ?? Array<number>(n).fill(1);
  const autoPad = c.string('auto_pad', 'NOTSET');
  const pads = c.ints('pads') ?? Array<number>(2 * n).fill(0);
  if (strides.length !== n || dilations.length !== n || pads.length !== 2 * n) {
    throw new ShapeError(`strides, dilations and pads must match the ${n} spatial dimensions of the kernel`);
  }
  return kernel.map((k, i) => {
    const size = input[i];
    if (!known(size)) return null;
    const s = strides[i]!;
    const effective = dilations[i]! * (k - 1) + 1;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return Math.ceil(size / s);
    const padded = autoPad === 'VALID' ? size : size + pads[i]! + pads[i + n]!;
    const raw = (padded - effective) / s;
    const out = (ceil ? Math.ceil(raw) : Math.floor(raw)) + 1;
    if (out < 1)
      throw new ShapeError(
        `spatial dimension ${i} of size ${size} is smaller than the kernel (${effective} with dilation)`,
      );
    return out;
  });
}

export const conv: Rule = (c) => {
  const x = requireRank(c, 0, 3, 'Conv input X');
  const w = requireRank(c, 1, 3, 'Conv weight W');
  const dtype = c.dtype(0);
  if (!x || !w) return [of(dtype, undefined)];
  if (x.length !== w.length) throw new ShapeError(`input ${fmt(x)} and weight ${fmt(w)} differ in rank`);
  const group = c.int('group', 1);
  if (known(x[1]) && known(w[1]) && x[1] !== w[1] * group) {
    throw new ShapeError(`input has ${x[1]} channels but weight ${fmt(w)} with group ${group} expects ${w[1] * group}`);
  }
  if (known(w[0]) && w[0] % group !== 0)
    throw new ShapeError(`${w[0]} output channels are not divisible by group ${group}`);
  const b = c.shape(2);
  if (b && b.length === 1 && known(b[0]) && known(w[0]) && b[0] !== w[0])
    throw new ShapeError(`bias ${fmt(b)} does not match ${w[0]} output channels`);
  const kernel = c.ints('kernel_shape') ?? w.slice(2);
  if (!kernel.every(known)) return [of(dtype, [x[0]!, w[0]!, ...x.slice(2).map(() => null)])];
  return [of(dtype, [x[0]!, w[0]!, ...windowed(c, x.slice(2), kernel as number[], false)])];
};

export const pool: Rule = (c) => {
  const x = requireRank(c, 0, 3, `${c.node.opType} input X`);
  const dtype = c.dtype(0);
  const kernel = c.ints('kernel_shape');
  if (!kernel) throw new ShapeError(`${c.node.opType} needs the attribute kernel_shape`);
  if (!x) return [of(dtype, undefined), of(7, undefined)];
  if (kernel.length !== x.length - 2)
    throw new ShapeError(
      `kernel_shape has ${kernel.length} dimensions, input ${fmt(x)} has ${x.length - 2} spatial ones`,
    );
  const shape = [x[0]!, x[1]!, ...windowed(c, x.slice(2), kernel, c.int('ceil_mode', 0) === 1)];
  return [of(dtype, shape), of(7, shape)];
};

export const globalPool: Rule = (c) => {
  const x = requireRank(c, 0, 3, `${c.node.opType} input X`);
  return [of(c.dtype(0), x ? [x[0]!, x[1]!, ...x.slice(2).map(() => 1)] : undefined)];
};

export const batchNorm: Rule = (c) => {
  const x = requireRank(c, 0, 2, 'BatchNormalization input X');
  const channels = x?.[1];
  for (let i = 1; i <= 4; i++) {
    const s = c.shape(i);
    if (s && s.length === 1 && known(s[0]) && known(channels) && s[0] !== channels) {
      throw new ShapeError(`input ${i} ${fmt(s)} does not match ${channels} channels of X ${fmt(x)}`);
    }
  }
  const stat = c.input(3);
  return [
    of(c.dtype(0), x ? [...x] : undefined),
    ...c.node.outputs
      .slice(1)
      .map(() => (stat?.dtype !== undefined ? { dtype: stat.dtype, shape: [channels ?? null] } : undefined)),
  ];
};

export const gemm: Rule = (c) => {
  const a = c.shape(0);
  const b = c.shape(1);
  const dtype = c.dtype(0);
  if (a && a.length !== 2) throw new ShapeError(`Gemm input A must be 2-D, got ${fmt(a)}`);
  if (b && b.length !== 2) throw new ShapeError(`Gemm input B must be 2-D, got ${fmt(b)}`);
  if (!a || !b) return [of(dtype, undefined)];
  const [m, ka] = c.int('transA', 0) ? [a[1]!, a[0]!] : [a[0]!, a[1]!];
  const [kb, n] = c.int('transB', 0) ? [b[1]!, b[0]!] : [b[0]!, b[1]!];
  if (known(ka) && known(kb) && ka !== kb)
    throw new ShapeError(
      `inner dimensions differ: A ${fmt(a)} and B ${fmt(b)} ` +
        `(transA ${c.int('transA', 0)}, transB ${c.int('transB', 0)})`,
    );
  return [of(dtype, [m, n])];
};

export const matmul: Rule = (c) => {
  const a = c.shape(0);
  const b = c.shape(1);
  const dtype = c.dtype(0);
  if (!a || !b) return [of(dtype, undefined)];
  if (a.length === 0 || b.length === 0) throw new ShapeError('MatMul inputs must not be scalars');
  const a2 = a.length === 1 ? [1, a[0]!] : a;
  const b2 = b.length === 1 ? [b[0]!, 1] : b;
  const k1 = a2[a2.length - 1];
  const k2 = b2[b2.length - 2];
  if (known(k1) && known(k2) && k1 !== k2) throw new ShapeError(`inner dimensions differ: ${fmt(a)} × ${fmt(b)}`);
  const batch = broadcastBatch(a2.slice(0, -2), b2.slice(0, -2));
  const out = [
    ...batch,
    ...(a.length === 1 ? [] : [a2[a2.length - 2]!]),
    ...(b.length === 1 ? [] : [b2[b2.length - 1]!]),
  ];
  return [of(dtype, out)];
};

function broadcastBatch(x: readonly Dim[], y: readonly Dim[]): Dim[] {
  const rank = Math.max(x.length, y.length);
  return Array.from({ length: rank }, (_, i) => {
    const p = x[x.length - rank + i] ?? 1;
    const q = y[y.length - rank + i] ?? 1;
    if (p === 1) return q;
    if (q === 1) return p;
    if (known(p) && known(q) && p !== q) throw new ShapeError(`batch dimensions ${p} and ${q} do not broadcast`);
    return known(p) ? p : q;
  });
}

export const flatten: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  const a = c.int('axis', 1);
  const at = a < 0 ? a + x.length : a;
  if (at < 0 || at > x.length) throw new ShapeError(`axis ${a} is out of range for rank ${x.length}`);
  return [of(c.dtype(0), [product(x.slice(0, at)), product(x.slice(at))])];
};

export const softmaxLike: Rule = (c) => [of(c.dtype(0), c.shape(0) ? [...c.shape(0)!] : undefined)];

export const convTranspose: Rule = (c) => {
  const x = requireRank(c, 0, 3, 'ConvTranspose input X');
  const w = requireRank(c, 1, 3, 'ConvTranspose weight W');
  const dtype = c.dtype(0);
  if (!x || !w) return [of(dtype, undefined)];
  const n = x.length - 2;
  const group = c.int('group', 1);
  const channels = known(w[1]) ? w[1] * group : null;
  const kernel = c.ints('kernel_shape') ?? w.slice(2);
  const outputShape = c.ints('output_shape');
  if (outputShape) return [of(dtype, [x[0]!, channels, ...outputShape.slice(-n)])];
  const strides = c.ints('strides') ?? Array<number>(n).fill(1);
  const dilations = c.ints('dilations') ?? Array<number>(n).fill(1);
  const outPad = c.ints('output_padding') ?? Array<number>(n).fill(0);
  const pads = c.ints('pads') ?? Array<number>(2 * n).fill(0);
  const autoPad = c.string('auto_pad', 'NOTSET');
  const spatial = x.slice(2).map((d, i) => {
    const k = kernel[i];
    if (!known(d) || !known(k)) return null;
    if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') return d * strides[i]!;
    const full = strides[i]! * (d - 1) + outPad[i]! + (k - 1) * dilations[i]! + 1;
    return autoPad === 'VALID' ? full : full - pads[i]! - pads[i + n]!;
  });
  return [of(dtype, [x[0]!, channels, ...spatial])];
};
