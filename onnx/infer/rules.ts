/** Which shape rule each covered operator uses; an operator absent here gets no inferred outputs. */
import type { Rule } from './context.js';
import * as axes from './rules-axes.js';
import * as elementwise from './rules-elementwise.js';
import * as nn from './rules-nn.js';
import * as reductions from './rules-reductions.js';
import * as resizing from './rules-resizing.js';
import * as shapes from './rules-shapes.js';
import * as slicing from './rules-slicing.js';

const unary = `Abs Neg Exp Log Sqrt Reciprocal Floor Ceil Round Sign Erf Sin Cos Tan Asin Acos Atan Sinh Cosh Asinh
  Acosh Atanh Relu LeakyRelu Elu Selu Celu ThresholdedRelu HardSigmoid HardSwish Sigmoid Tanh Softplus Softsign
  Clip Identity LRN InstanceNormalization Trilu CumSum Shrink MeanVarianceNormalization LayerNormalization Gelu Mish`;
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
  ...each(unary, elementwise.same),
  ...each(broadcasting, elementwise.broadcastOp),
  ...each(comparing, elementwise.compare),
  ...each(reducing, reductions.reduce),
  ...each('Not IsNaN IsInf', elementwise.sameBool),
  ...each('Softmax LogSoftmax Hardmax', nn.softmaxLike),
  ...each('AveragePool MaxPool', nn.pool),
  ...each('GlobalAveragePool GlobalMaxPool', nn.globalPool),
  ...each('ArgMax ArgMin', reductions.argReduce),
  Where: elementwise.where,
  GatherElements: slicing.gatherElements,
  ...each('ScatterElements ScatterND', elementwise.same),
  ...each('DepthToSpace SpaceToDepth', axes.depthSpace),
  ...each('Resize Upsample', resizing.resize),
  QuantizeLinear: elementwise.quantize,
  DequantizeLinear: elementwise.dequantize,
  EyeLike: elementwise.eyeLike,
  TopK: reductions.topK,
  Dropout: elementwise.dropout,
  Cast: elementwise.cast,
  CastLike: elementwise.castLike,
  Conv: nn.conv,
  ConvTranspose: nn.convTranspose,
  BatchNormalization: nn.batchNorm,
  Gemm: nn.gemm,
  MatMul: nn.matmul,
  Flatten: nn.flatten,
  Reshape: shapes.reshape,
  Concat: slicing.concat,
  Transpose: axes.transpose,
  Shape: shapes.shapeOp,
  Size: shapes.size,
  Gather: slicing.gather,
  Unsqueeze: axes.unsqueeze,
  Squeeze: axes.squeeze,
  Expand: resizing.expand,
  Tile: resizing.tile,
  Pad: resizing.pad,
  Slice: slicing.slice,
  Split: slicing.split,
  Constant: shapes.constant,
  ConstantOfShape: shapes.constantOfShape,
  Range: shapes.range,
};
