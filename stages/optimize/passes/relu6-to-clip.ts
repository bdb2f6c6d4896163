/**
 * Min(Max(x, lo), hi) and Max(Min(x, hi), lo) with scalar constant bounds lo ≤ hi → Clip(x, lo, hi), the
 * one operator runtimes fuse into the preceding Conv (Relu6 as exporters sometimes spell it). Clip's form
 * follows the opset: attributes `min`/`max` before 11, scalar inputs from 11 on (float types only at 11).
 */
import { DType, type Node, type Tensor } from '../../../onnx/ir.js';
import {
  c,
  op,
  v,
  rewritePass,
  rule,
  type Match,
  type Replacement,
  type RuleContext,
} from '../../../onnx/rewrite/rule.js';
import { makeTensor, tensorNumbers } from '../../../onnx/rewrite/tensors.js';

const scalar = (t: Tensor | undefined): number | undefined => {
  const values = t && t.dims.reduce((a, b) => a * b, 1) === 1 ? tensorNumbers(t) : undefined;
  return values?.[0];
};

function toClip(m: Match, ctx: RuleContext): Replacement | string {
  const lo = scalar(m.consts.lo);
  const hi = scalar(m.consts.hi);
  if (lo === undefined || hi === undefined) return 'bounds are not scalar constants';
  if (lo > hi) return 'lower bound above upper bound';
  const dtype = (m.consts.lo as Tensor).dtype;
  if (dtype !== (m.consts.hi as Tensor).dtype) return 'bounds differ in type';
  const base = { name: m.root.name, opType: 'Clip', domain: '', outputs: [...m.root.outputs] };
  if (ctx.opset < 11) {
    if (dtype !== DType.FLOAT) return 'attribute-form Clip takes float bounds';
    return {
      nodes: [
        {
          ...base,
          inputs: [m.values.x as string],
          attributes: [
            { name: 'min', value: { kind: 'float', value: lo } },
            { name: 'max', value: { kind: 'float', value: hi } },
          ],
        } as Node,
      ],
    };
  }
  if (ctx.opset < 12 && ![DType.FLOAT, DType.FLOAT16, DType.DOUBLE].includes(dtype as 1))
    return 'Clip-11 takes float types only';
  const loName = ctx.fresh(`${m.root.name || 'clip'}_min`);
  const hiName = ctx.fresh(`${m.root.name || 'clip'}_max`);
  return {
    nodes: [{ ...base, inputs: [m.values.x as string, loName, hiName], attributes: [] }],
    initializers: [makeTensor(loName, dtype, [], [lo]), makeTensor(hiName, dtype, [], [hi])],
  };
}

export const minOfMax = rule('min-of-max-to-clip', op('Min', [op('Max', [v('x'), c('lo')]), c('hi')]), toClip);
export const maxOfMin = rule('max-of-min-to-clip', op('Max', [op('Min', [v('x'), c('hi')]), c('lo')]), toClip);

export const relu6ToClip = rewritePass('relu6-to-clip', "Min(Max(x, lo), hi) → Clip(x, lo, hi) in the opset's form", [
  minOfMax,
  maxOfMin,
]);
