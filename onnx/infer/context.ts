/** What a shape rule sees of one node: its input types, constant inputs, and attributes with defaults. */
import { DType, type Dim, type Node, type Tensor, type TensorType } from '../ir.js';
import type { ConstValue } from './constants.js';
import { ShapeError } from './dims.js';

/** One node as its shape rule reads it: inputs by position, attributes by name. */
export interface RuleContext {
  /** The node itself, for what the readers below do not cover. */
  node: Node;
  /** The default domain's opset: a rule follows the operator version in force (Reshape, Squeeze, Clip…). */
  opset: number;
  /** The type of input i; undefined when omitted or unknown. */
  input(i: number): TensorType | undefined;
  /** The shape of input i; undefined when omitted, unknown, or of unknown rank. */
  shape(i: number): readonly Dim[] | undefined;
  /** The element type of input i; undefined when omitted, unknown or UNDEFINED. */
  dtype(i: number): DType | undefined;
  /** Input i is given (not '' and not beyond the node's inputs). */
  present(i: number): boolean;
  /** Input i's value, when it is a known integer constant (shape arithmetic folds it). */
  constant(i: number): ConstValue | undefined;
  /** An int attribute, or `fallback` when it is absent or not an int. */
  int(name: string, fallback: number): number;
  /** An ints attribute; undefined when absent or not ints. */
  ints(name: string): number[] | undefined;
  /** A float attribute, or `fallback` when it is absent or not a float. */
  float(name: string, fallback: number): number;
  /** A string attribute, or `fallback` when it is absent or not a string. */
  string(name: string, fallback: string): string;
  /** A tensor attribute (a Constant's `value`); undefined when absent or not a tensor. */
  tensor(name: string): Tensor | undefined;
  /** The attribute is set, whatever its type. */
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
