/** What a shape rule sees of one node: its input types, constant inputs, and attributes with defaults. */
import { DType, type Dim, type Node, type Tensor, type TensorType } from '../ir.js';
import type { ConstValue } from './constants.js';
import { ShapeError } from './dims.js';

export interface RuleContext {
  node: Node;
  opset: number;
  /** The type of input i; undefined when omitted or unknown. */
  input(i: number): TensorType | undefined;
  /** The shape of input i; undefined when omitted, unknown, or of unknown rank. */
  shape(i: number): readonly Dim[] | undefined;
  dtype(i: number): DType | undefined;
  present(i: number): boolean;
  constant(i: number): ConstValue | undefined;
  int(name: string, fallback: number): number;
  ints(name: string): number[] | undefined;
  float(name: string, fallback: number): number;
  string(name: string, fallback: string): string;
  tensor(name: string): Tensor | undefined;
  has(name: string): boolean;
}

/** A rule returns one entry per output (undefined: not inferred). */
export type Rule = (c: RuleContext) => (TensorType | undefined)[];

/** One output's type: undefined without a dtype, no shape when the shape is unknown. */
export const of = (dtype: DType | undefined, shape: Dim[] | undefined): TensorType | undefined =>
  dtype === undefined ? undefined : shape ? { dtype, shape } : { dtype };

export const copy = (s: readonly Dim[] | undefined): Dim[] | undefined => (s ? [...s] : undefined);

/** The rank of `s` with every dimension unknown. */
export const unknownDims = (s: readonly Dim[]): Dim[] => s.map(() => null);

/** The node's attributes read by kind: a fallback (or undefined) where the attribute is absent or of another. */
function attributeReaders(node: Node): Pick<RuleContext, 'int' | 'ints' | 'float' | 'string' | 'tensor' | 'has'> {
  const attr = (name: string) => node.attributes.find((a) => a.name === name)?.value;
  return {
    int: (n, fallback) => {
      const v = attr(n);
      return v?.kind === 'int' ? v.value : fallback;
    },
    ints: (n) => {
      const v = attr(n);
      return v?.kind === 'ints' ? v.value : undefined;
    },
    float: (n, fallback) => {
      const v = attr(n);
      return v?.kind === 'float' ? v.value : fallback;
    },
    string: (n, fallback) => {
      const v = attr(n);
      return v?.kind === 'string' ? v.value : fallback;
    },
    tensor: (n) => {
      const v = attr(n);
      return v?.kind === 'tensor' ? v.value : undefined;
    },
    has: (n) => attr(n) !== undefined,
  };
}

export function makeContext(
  node: Node,
  opset: number,
  typeOf: (name: string) => TensorType | undefined,
  constOf: (name: string) => ConstValue | undefined,
): RuleContext {
  const name = (i: number) => node.inputs[i] ?? '';
  return {
    node,
    opset,
    input: (i) => (name(i) ? typeOf(name(i)) : undefined),
    shape: (i) => (name(i) ? typeOf(name(i))?.shape : undefined),
    dtype: (i) => {
      const t = name(i) ? typeOf(name(i)) : undefined;
      return t && t.dtype !== DType.UNDEFINED ? t.dtype : undefined;
    },
    present: (i) => name(i) !== '',
    constant: (i) => (name(i) ? constOf(name(i)) : undefined),
    ...attributeReaders(node),
  };
}

export function requireRank(c: RuleContext, i: number, min: number, what: string): readonly Dim[] | undefined {
  const s = c.shape(i);
  if (s && s.length < min) throw new ShapeError(`${what} must have rank ≥ ${min}, got rank ${s.length}`);
  return s;
}
