/**
 * Reshape and Flatten simplifications (the shape input form of Reshape, opset ≥ 5):
 *   Reshape(Reshape(x, s1), s2) → Reshape(x, s2)   when s2 is a constant without 0 (0 would copy a dim of the
 *                                                  inner result)
 *   Reshape(Flatten(x), s2) → Reshape(x, s2)      likewise (Flatten is a reshape)
 *   Reshape(x, s) → x, Flatten(x) → x              when x's static shape already is the result
 *   Reshape(x, [d0, -1]) → Flatten(x, axis=1)      when x's first dim is d0 (or s is [0, -1]): the form runtimes
 *                                                  fuse into Gemm
 */
import type { Dim, Node } from '../../../onnx/ir.js';
import { intAttr, type GraphIndex } from '../../../onnx/rewrite/graph-index.js';
import { c, op, v, rewritePass, rule, type Match, type RuleContext } from '../../../onnx/rewrite/rule.js';
import { tensorNumbers } from '../../../onnx/rewrite/tensors.js';

const staticShape = (index: GraphIndex, value: string): number[] | undefined => {
  const s = index.types.get(value)?.shape;
  return s && s.every((d: Dim) => typeof d === 'number') ? (s as number[]) : undefined;
};

const shapeOf = (m: Match, key: string): number[] | undefined => {
  const t = m.consts[key];
  const values = t && t.dims.length === 1 ? tensorNumbers(t) : undefined;
  return values && [...values];
};

const reshapeForm = (ctx: RuleContext): string | undefined =>
  ctx.opset < 5 ? 'Reshape takes its shape as an attribute before opset 5' : undefined;
const allowZero = (node: Node): boolean => intAttr(node, 'allowzero', 0) !== 0;

/** Reshape's result for a static input shape: 0 copies the input dim, -1 takes what is left. */
function reshaped(input: readonly number[], shape: readonly number[]): number[] {
  const out = shape.map((d, i) => (d === 0 ? (input[i] as number) : d));
  const known = out.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const total = input.reduce((a, d) => a * d, 1);
  return out.map((d) => (d === -1 ? total / known : d));
}

export const reshapeOfReshape = rule(
  'reshape-of-reshape',
  op('Reshape', [op('Reshape', [v('x'), v('s1')]), c('s2')]),
  (m) => ({ nodes: [{ ...m.root, inputs: [m.values.x as string, m.values.s2 as string] }] }),
  (m, ctx) => {
    const s2 = shapeOf(m, 's2');
    if (!s2) return 'target shape is not a readable 1-D constant';
    if (s2.includes(0) && !allowZero(m.root)) return 'target shape copies dims (0) from the intermediate result';
    return reshapeForm(ctx);
  },
);

export const reshapeOfFlatten = rule(
  'reshape-of-flatten',
  op('Reshape', [op('Flatten', [v('x')]), c('s2')]),
  (m) => ({ nodes: [{ ...m.root, inputs: [m.values.x as string, m.values.s2 as string] }] }),
  (m, ctx) => {
    const s2 = shapeOf(m, 's2');
    if (!s2) return 'target shape is not a readable 1-D constant';
    if (s2.includes(0) && !allowZero(m.root)) return 'target shape copies dims (0) from the flattened result';
    return reshapeForm(ctx);
  },
);

export const noopReshape = rule(
  'noop-reshape',
  op('Reshape', [v('x'), c('s')]),
  (m) => ({ alias: m.values.x as string }),
  (m, ctx) => {
    const input = staticShape(ctx.index, m.values.x as string);
    const s = shapeOf(m, 's');
    if (!input || !s) return 'input shape not static or target shape not constant';
    if (allowZero(m.root) && s.includes(0)) return 'allowzero with a 0 in the shape';
    const out = reshaped(input, s);
    return out.length === input.length && out.every((d, i) => d === input[i]) ? reshapeForm(ctx) : 'changes the shape';
  },
);

export const noopFlatten = rule(
  'noop-flatten',
  op('Flatten', [v('x')]),
  (m) => ({ alias: m.values.x as string }),
  (m, ctx) => {
    const input = staticShape(ctx.index, m.values.x as string);
    if (!input) return 'input shape not static';
    const axis = intAttr(m.root, 'axis', 1);
    const a = axis < 0 ? axis + input.length : axis;
    const out = [input.slice(0, a).reduce((x, d) => x * d, 1), input.slice(a).reduce((x, d) => x * d, 1)];
    return input.length === 2 && out[0] === input[0] && out[1] === input[1] ? undefined : 'changes the shape';
  },
);

export const reshapeToFlatten = rule(
  'reshape-to-flatten',
  op('Reshape', [v('x'), c('s')]),
  (m) => ({
    nodes: [
      {
        ...m.root,
        opType: 'Flatten',
        inputs: [m.values.x as string],
        attributes: [{ name: 'axis', value: { kind: 'int', value: 1 } }],
      },
    ],
  }),
  (m, ctx) => {
    const s = shapeOf(m, 's');
    if (!s || s.length !== 2 || s[1] !== -1) return 'target shape is not [d0, -1]';
    const rank = ctx.index.types.get(m.values.x as string)?.shape?.length;
    if (rank === undefined || rank < 2) return 'input rank unknown or below 2';
    const first = ctx.index.types.get(m.values.x as string)?.shape?.[0];
    if (s[0] !== 0 && s[0] !== first) return 'first dim is not kept';
    if (s[0] === 0 && allowZero(m.root)) return 'allowzero with a 0 in the shape';
    return reshapeForm(ctx);
  },
);

export const simplifyReshape = rewritePass(
  'simplify-reshape',
  'Reshape/Flatten chains collapsed, no-ops removed, [N,-1] Reshape → Flatten',
  [reshapeOfReshape, reshapeOfFlatten, noopReshape, noopFlatten, reshapeToFlatten],
);
