/**
 * Add(MatMul(A, B), C) → Gemm(A, B, C) when A is 2-D, B a 2-D constant [K, N] and C a constant that
 * broadcasts unidirectionally to [M, N] (scalar, [N], [1, N]): Gemm computes α·A·B + β·C with α = β = 1.
 * Gemm's C broadcasting exists from opset 7, so older models are left alone.
 */
import { DType } from '../../../onnx/ir.js';
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

const matmul = op('MatMul', [v('a'), c('b')], { bind: 'matmul' });

function check(m: Match, ctx: RuleContext): string | undefined {
  if (ctx.opset < 7) return 'Gemm broadcasts C only from opset 7';
  const rankA = ctx.index.types.get(m.values.a as string)?.shape?.length;
  if (rankA !== 2) return rankA === undefined ? 'rank of A is unknown' : `A has rank ${rankA}, Gemm needs 2`;
  const b = m.consts.b;
  const bias = m.consts.c;
  if (!b || !bias || b.dims.length !== 2) return 'B is not a 2-D constant';
  if (b.dtype !== bias.dtype) return 'B and C differ in type';
  if (![DType.FLOAT, DType.FLOAT16, DType.DOUBLE].includes(b.dtype as 1))
    return 'Gemm before opset 11 takes floating-point types only';
  const n = b.dims[1] as number;
  const d = bias.dims;
  const ok =
    d.every((x) => x === 1) || (d.length <= 2 && d[d.length - 1] === n && d.slice(0, -1).every((x) => x === 1));
  return ok ? undefined : `C of shape [${d.join(',')}] does not broadcast to [M, ${n}]`;
}

const toGemm = (m: Match): Replacement => ({
  nodes: [
    {
      name: m.nodes.matmul?.name ?? '',
      opType: 'Gemm',
      domain: '',
      inputs: [m.values.a as string, m.values.b as string, m.values.c as string],
      outputs: [...m.root.outputs],
      attributes: [],
    },
  ],
});

export const matmulAddToGemm = rule('matmul-add-to-gemm', op('Add', [matmul, c('c')]), toGemm, check);
export const matmulAddToGemmCommuted = rule('matmul-add-to-gemm-commuted', op('Add', [c('c'), matmul]), toGemm, check);

export const fuseMatmulAdd = rewritePass('matmul-add-to-gemm', 'Add(MatMul(A, B), C) → Gemm(A, B, C) for 2-D A', [
  matmulAddToGemm,
  matmulAddToGemmCommuted,
]);
