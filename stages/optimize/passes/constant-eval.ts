/**
 * Evaluators for the operators constant folding computes in JavaScript: the shape arithmetic exporters
 * emit (Shape → Gather → Unsqueeze → Concat → Reshape) and elementwise arithmetic on constants. Values are
 * float64 (exact for every float32 operation here and for integers below 2^53); the result is stored in
 * the node's output type. An operator or form not listed returns undefined and the node stays.
 */
import { DType, type Node } from '../../../onnx/ir.js';
import { intAttr, intsAttr } from '../../../onnx/rewrite/graph-index.js';

export interface Value {
  dtype: DType;
  dims: number[];
  data: Float64Array;
}

type Evaluator = (node: Node, inputs: Value[], opset: number) => Value | undefined;

const size = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);
const INTS: number[] = [
  DType.INT8,
  DType.INT16,
  DType.INT32,
  DType.INT64,
  DType.UINT8,
  DType.UINT16,
  DType.UINT32,
  DType.UINT64,
];
const isInt = (t: DType): boolean => INTS.includes(t);
const NUMERIC: number[] = [DType.FLOAT, DType.DOUBLE, DType.FLOAT16, ...INTS];

/** Numpy broadcasting of two operands. */
function binary(f: (a: number, b: number) => number): Evaluator {
  return (_node, [a, b]) => {
    if (!a || !b || a.dtype !== b.dtype) return undefined;
    const rank = Math.max(a.dims.length, b.dims.length);
    const pad = (d: number[]) => [...Array(rank - d.length).fill(1), ...d] as number[];
    const da = pad(a.dims);
    const db = pad(b.dims);
    const dims = da.map((x, i) => (x === 1 ? (db[i] as number) : x));
    if (da.some((x, i) => x !== 1 && (db[i] as number) !== 1 && x !== db[i])) return undefined;
    const out = new Float64Array(size(dims));
    const idx = new Array<number>(rank).fill(0);
    for (let k = 0; k < out.length; k++) {
      let ia = 0;
      let ib = 0;
      for (let r = 0; r < rank; r++) {
        ia = ia * (da[r] as number) + ((da[r] as number) === 1 ? 0 : (idx[r] as number));
        ib = ib * (db[r] as number) + ((db[r] as number) === 1 ? 0 : (idx[r] as number));
      }
      out[k] = f(a.data[ia] as number, b.data[ib] as number);
      for (let r = rank - 1; r >= 0 && ++(idx[r] as number) === dims[r]; r--) idx[r] = 0;
    }
    if (isInt(a.dtype)) for (let k = 0; k < out.length; k++) out[k] = Math.trunc(out[k] as number);
    return { dtype: a.dtype, dims, data: out };
  };
}

const axesOf = (node: Node, inputs: Value[], opset: number): number[] | undefined =>
  opset >= 13 ? (inputs[1] ? [...inputs[1].data] : undefined) : intsAttr(node, 'axes');

export const evaluators: Record<string, Evaluator> = {
  Add: binary((a, b) => a + b),
  Sub: binary((a, b) => a - b),
  Mul: binary((a, b) => a * b),
  Div: binary((a, b) => a / b),
  Identity: (_n, [x]) => x,
  Cast: (node, [x]) => {
    const to = intAttr(node, 'to', 0) as DType;
    if (!x || !NUMERIC.includes(to) || !NUMERIC.includes(x.dtype)) return undefined;
    return { dtype: to, dims: x.dims, data: isInt(to) ? x.data.map(Math.trunc) : x.data };
  },
  Gather: (node, [x, i]) => {
    if (!x || !i || !isInt(i.dtype)) return undefined;
    const r = x.dims.length;
    const axis = (intAttr(node, 'axis', 0) + r) % r;
    const outer = size(x.dims.slice(0, axis));
    const n = x.dims[axis] as number;
    const inner = size(x.dims.slice(axis + 1));
    const data = new Float64Array(outer * i.data.length * inner);
    let k = 0;
    for (let o = 0; o < outer; o++)
      for (const raw of i.data) {
        const j = raw < 0 ? raw + n : raw;
        if (j < 0 || j >= n) return undefined;
        for (let q = 0; q < inner; q++) data[k++] = x.data[(o * n + j) * inner + q] as number;
      }
    return { dtype: x.dtype, dims: [...x.dims.slice(0, axis), ...i.dims, ...x.dims.slice(axis + 1)], data };
  },
  Unsqueeze: (node, inputs, opset) => {
    const x = inputs[0];
    const axes = axesOf(node, inputs, opset);
    if (!x || !axes) return undefined;
    const rank = x.dims.length + axes.length;
    const norm = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
    const dims: number[] = [];
    let j = 0;
    for (let d = 0; d < rank; d++) dims.push(norm.has(d) ? 1 : (x.dims[j++] as number));
    return { ...x, dims };
  },
  Squeeze: (node, inputs, opset) => {
    const x = inputs[0];
    const axes = axesOf(node, inputs, opset);
    if (!x) return undefined;
    const norm = axes?.map((a) => (a < 0 ? a + x.dims.length : a));
    return { ...x, dims: x.dims.filter((d, i) => (norm ? !norm.includes(i) : d !== 1)) };
  },
  Concat: (node, inputs) => {
    const first = inputs[0];
    if (!first || inputs.some((x) => x.dtype !== first.dtype || x.dims.length !== first.dims.length)) return undefined;
    const r = first.dims.length;
    const axis = (intAttr(node, 'axis', 0) + r) % r;
    const outer = size(first.dims.slice(0, axis));
    const chunks = inputs.map((x) => size(x.dims.slice(axis)));
    const data = new Float64Array(chunks.reduce((a, b) => a + b, 0) * outer);
    let k = 0;
    for (let o = 0; o < outer; o++)
      inputs.forEach((x, n) => {
        data.set(x.data.subarray(o * (chunks[n] as number), (o + 1) * (chunks[n] as number)), k);
        k += chunks[n] as number;
      });
    const dims = [...first.dims];
    dims[axis] = inputs.reduce((a, x) => a + (x.dims[axis] as number), 0);
    return { dtype: first.dtype, dims, data };
  },
  Reshape: (node, [x, s]) => {
    if (!x || !s) return undefined;
    const dims = [...s.data].map((d, i) =>
      d === 0 && intAttr(node, 'allowzero', 0) === 0 ? (x.dims[i] as number) : d,
    );
    const known = dims.reduce((a, d) => (d === -1 ? a : a * d), 1);
    const out = dims.map((d) => (d === -1 ? size(x.dims) / known : d));
    return size(out) === x.data.length ? { ...x, dims: out } : undefined;
  },
};
