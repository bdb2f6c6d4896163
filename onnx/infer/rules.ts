/** Which shape rule each covered operator uses; an operator absent here gets no inferred outputs. */
import type { Rule } from './context.js';
import * as nn from './rules-nn.js';
import * as t from './rules-tensor.js';

const unary = `Abs Neg Exp Log Sqrt Reciprocal Floor Ceil Round Sign Erf Sin Cos Tan Asin Acos Atan Sinh Cosh Asinh Acosh
  Atanh Relu LeakyRelu Elu Selu Celu ThresholdedRelu HardSigmoid HardSwish Sigmoid Tanh Softplus Softsign Clip Identity
  LRN InstanceNormalization Trilu CumSum Shrink MeanVarianceNormalization LayerNormalization Gelu Mish`;
const broadcasting = 'Add Sub Mul Div Pow Mod Max Min Sum Mean PRelu BitShift';
const comparing = 'And Or Xor Equal Less Greater LessOrEqual GreaterOrEqual';
const reducing =
  'ReduceMean ReduceSum ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceSumSquare';

const each = (names: string, rule: Rule) =>
  Object.fromEntries(
    names
      .split(/\s+/)
      .filter(Boolean)
      .map((n) => [n, rule]),
  );

export const rules: Readonly<Record<string, Rule>> = {
  ...each(unary, t.same),
  ...each(broadcasting, t.broadcastOp),
  ...each(comparing, t.compare),
  ...each(reducing, t.reduce),
  ...each('Not IsNaN IsInf', t.sameBool),
  ...each('Softmax LogSoftmax Hardmax', nn.softmaxLike),
  ...each('AveragePool MaxPool', nn.pool),
  ...each('GlobalAveragePool GlobalMaxPool', nn.globalPool),
  ...each('ArgMax ArgMin', t.argReduce),
  Where: t.where,
  GatherElements: t.gatherElements,
  ...each('ScatterElements ScatterND', t.same),
  ...each('DepthToSpace SpaceToDepth', t.depthSpace),
  ...each('Resize Upsample', t.resize),
  QuantizeLinear: t.quantize,
  DequantizeLinear: t.dequantize,
  EyeLike: t.eyeLike,
  TopK: t.topK,
  Dropout: t.dropout,
  Cast: t.cast,
  CastLike: t.castLike,
  Conv: nn.conv,
  ConvTranspose: nn.convTranspose,
  BatchNormalization: nn.batchNorm,
  Gemm: nn.gemm,
  MatMul: nn.matmul,
  Flatten: nn.flatten,
  Reshape: t.reshape,
  Concat: t.concat,
  Transpose: t.transpose,
  Shape: t.shapeOp,
  Size: t.size,
  Gather: t.gather,
  Unsqueeze: t.unsqueeze,
  Squeeze: t.squeeze,
  Expand: t.expand,
  Tile: t.tile,
  Pad: t.pad,
  Slice: t.slice,
  Split: t.split,
  Constant: t.constant,
  ConstantOfShape: t.constantOfShape,
  Range: t.range,
};
