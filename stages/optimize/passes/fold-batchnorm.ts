/**
 * BatchNormalization after Conv or Gemm folds into that layer's weights and bias, per output channel k:
 *   s_k = γ_k / √(σ²_k + ε)
 *   Conv: W'[k,…] = W[k,…]·s_k                 b'_k = (b_k − μ_k)·s_k + β_k
 *   Gemm: W' scaled along the output axis N     c'_k = (β_gemm·c_k − μ_k)·s_k + β_k, β_gemm' = 1
 * (with α kept: BN(α·A·W + β·c) = α·A·(W·s) + (β·c − μ)·s + β).
 * Only inference-form BN applies: one output, training_mode 0, spatial 1 (the pre-9 attribute).
 */
import { DType, type Node, type Tensor } from '../../../onnx/ir.js';
import { floatAttr, intAttr } from '../../../onnx/rewrite/graph-index.js';
import {
  c,
  op,
  opt,
  v,
  rewritePass,
  rule,
  type Match,
  type Rule,
  type RuleContext,
} from '../../../onnx/rewrite/rule.js';
import { floatValues, makeTensor } from '../../../onnx/rewrite/tensors.js';

const bnOver = (layer: ReturnType<typeof op>) =>
  op('BatchNormalization', [layer, c('scale'), c('beta'), c('mean'), c('var')]);
const convBn = bnOver(op('Conv', [v('x'), c('w'), opt(c('b'))], { bind: 'layer' }));
const gemmBn = bnOver(op('Gemm', [v('x'), c('w'), opt(c('b'))], { bind: 'layer' }));

/** The per-channel scale and the parameters, or why they cannot be read. */
function bnParams(m: Match, channels: number): string | { s: Float64Array; shift: Float64Array; mean: Float32Array } {
  const bn = m.root;
  if (bn.outputs.filter(Boolean).length !== 1) return 'BatchNormalization has training outputs';
  if (intAttr(bn, 'training_mode', 0) !== 0 || intAttr(bn, 'spatial', 1) !== 1)
    return 'not an inference-mode, spatial BatchNormalization';
  const [g, beta, mean, variance] = (['scale', 'beta', 'mean', 'var'] as const).map((k) =>
    floatValues(m.consts[k] as Tensor),
  );
  if (!g || !beta || !mean || !variance) return 'BatchNormalization parameters are not float32 constants';
  if ([g, beta, mean, variance].some((a) => a.length !== channels))
    return `parameters do not have ${channels} channels`;
  const eps = floatAttr(bn, 'epsilon', 1e-5);
  const s = Float64Array.from(g, (gk, k) => gk / Math.sqrt((variance[k] as number) + eps));
  const shift = Float64Array.from(beta);
  return { s, shift, mean };
}

function fold(
  m: Match,
  ctx: RuleContext,
  outAxisOf: (w: Tensor) => number | undefined,
  biasScale: number,
): string | { nodes: Node[]; initializers: Tensor[] } {
  const wT = m.consts.w as Tensor;
  const w = floatValues(wT);
  const axis = outAxisOf(wT);
  if (!w || axis === undefined) return 'weights are not a float32 constant of the expected rank';
  const channels = wT.dims[axis] as number;
  const p = bnParams(m, channels);
  if (typeof p === 'string') return p;
  const b = m.consts.b ? floatValues(m.consts.b) : new Float32Array(channels);
  if (!b || b.length !== channels) return 'bias is not a float32 constant with one value per channel';
  const inner = wT.dims.slice(axis + 1).reduce((a, d) => a * d, 1);
  const w2 = scaleAlong(w, p.s, inner);
  const b2 = Float32Array.from(
    b,
    (bk, k) => (biasScale * bk - (p.mean[k] as number)) * (p.s[k] as number) + (p.shift[k] as number),
  );
  const layer = m.nodes.layer as Node;
  const wName = ctx.fresh(`${wT.name}_bn`);
  const bName = ctx.fresh(`${layer.name || 'layer'}_bn_bias`);
  const attributes =
    layer.opType === 'Gemm'
      ? [
          ...layer.attributes.filter((a) => a.name !== 'beta'),
          { name: 'beta', value: { kind: 'float' as const, value: 1 } },
        ]
      : layer.attributes;
  return {
    nodes: [{ ...layer, inputs: [m.values.x as string, wName, bName], outputs: [...m.root.outputs], attributes }],
    initializers: [makeTensor(wName, DType.FLOAT, wT.dims, w2), makeTensor(bName, DType.FLOAT, [channels], b2)],
  };
}

/**
 * W'[…, k, i] = W[…, k, i]·s_k, where `inner` elements follow each k; a small function so the JIT optimizes the
 * loop.
 */
function scaleAlong(w: Float32Array, s: Float64Array, inner: number): Float32Array {
  const out = new Float32Array(w.length);
  const channels = s.length;
  for (let start = 0, k = 0; start < w.length; start += inner, k = k + 1 === channels ? 0 : k + 1) {
    const f = s[k] as number;
    for (let i = start; i < start + inner; i++) out[i] = (w[i] as number) * f;
  }
  return out;
}

const foldRule = (
  name: string,
  pattern: ReturnType<typeof op>,
  outAxis: (m: Match) => (w: Tensor) => number | undefined,
  biasScale: (m: Match) => number,
): Rule => rule(name, pattern, (m, ctx) => fold(m, ctx, outAxis(m), biasScale(m)));

export const bnIntoConv = foldRule(
  'batchnorm-into-conv',
  convBn,
  () => (w) => (w.dims.length >= 3 ? 0 : undefined),
  () => 1,
);
export const bnIntoGemm = foldRule(
  'batchnorm-into-gemm',
  gemmBn,
  (m) => (w) =>
    w.dims.length !== 2 || intAttr(m.nodes.layer as Node, 'transA', 0) !== 0
      ? undefined
      : intAttr(m.nodes.layer as Node, 'transB', 0)
        ? 0
        : 1,
  (m) => floatAttr(m.nodes.layer as Node, 'beta', 1),
);

export const foldBatchnorm = rewritePass(
  'fold-batchnorm',
  'BatchNormalization after Conv/Gemm → new weights and bias',
  [bnIntoConv, bnIntoGemm],
);
