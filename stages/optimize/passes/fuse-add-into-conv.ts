/**
 * Add(Conv(x, W, b), C) → Conv(x, W, b + C) when C is a per-output-channel constant:
 * a scalar, [M], [M,1,…,1] or [1,M,1,…,1] (shapes that broadcast along the channel axis only). Either
 * operand order of the Add.
 */
import { DType, type Node, type Tensor } from '../../../onnx/ir.js';
import {
  c,
  op,
  opt,
  v,
  rewritePass,
  rule,
  type Match,
  type Replacement,
  type RuleContext,
} from '../../../onnx/rewrite/rule.js';
import { floatValues, makeTensor } from '../../../onnx/rewrite/tensors.js';

const conv = op('Conv', [v('x'), c('w'), opt(c('b'))], { bind: 'conv' });

/** C broadcasts right-aligned against the output [N, M, …]; it must vary along axis 1 (channels) only. */
function perChannel(t: Tensor, channels: number, rank: number): boolean {
  const d = t.dims;
  if (d.length > rank) return false;
  if (d.every((x) => x === 1)) return true;
  const channelAxis = 1 - (rank - d.length);
  return channelAxis >= 0 && d.every((x, i) => (i === channelAxis ? x === channels : x === 1));
}

function fuse(m: Match, ctx: RuleContext): Replacement | string {
  const w = m.consts.w as Tensor;
  const add = m.consts.add as Tensor;
  const channels = w.dims[0] as number;
  if (!perChannel(add, channels, w.dims.length))
    return `constant of shape [${add.dims.join(',')}] is not per output channel`;
  const cv = floatValues(add);
  const b = m.consts.b ? floatValues(m.consts.b) : new Float32Array(channels);
  if (!cv || !b) return 'bias or added constant is not float32';
  const sum = Float32Array.from(b, (bk, k) => bk + (cv.length === 1 ? (cv[0] as number) : (cv[k] as number)));
  const node = m.nodes.conv as Node;
  const name = ctx.fresh(`${node.name || 'conv'}_bias`);
  return {
    nodes: [{ ...node, inputs: [m.values.x as string, w.name, name], outputs: [...m.root.outputs] }],
    initializers: [makeTensor(name, DType.FLOAT, [channels], sum)],
  };
}

export const addIntoConvBias = rule('add-into-conv-bias', op('Add', [conv, c('add')]), fuse);
export const addIntoConvBiasCommuted = rule('add-into-conv-bias-commuted', op('Add', [c('add'), conv]), fuse);

export const fuseAddIntoConv = rewritePass('fuse-add-into-conv', 'Add of a per-channel constant → Conv bias', [
  addIntoConvBias,
  addIntoConvBiasCommuted,
]);
