/** Shape rules for the elementwise operators: unary, broadcasting, comparing, casting and quantizing. */
import { DType, type Dim } from '../ir.js';
import { copy, of, type Rule, type RuleContext } from './context.js';
import { broadcast } from './dims.js';

/** Output 0 has input 0's type and shape; any further output (LayerNormalization's statistics) is not inferred. */
export const same: Rule = (c) => [of(c.dtype(0), copy(c.shape(0)))];

export const sameBool: Rule = (c) => [of(DType.BOOL, copy(c.shape(0)))];

export const dropout: Rule = (c) => [of(c.dtype(0), copy(c.shape(0))), of(DType.BOOL, copy(c.shape(0)))];

const inputShapes = (c: RuleContext) => c.node.inputs.map((_, i) => c.shape(i));

/**
 * Before opset 7 the binary operators broadcast the ONNX-1 way (B onto A, by the `broadcast` and `axis`
 * attributes; PRelu's slope per channel), so the output simply has A's shape.
 */
const outShape = (c: RuleContext): Dim[] | undefined => (c.opset < 7 ? copy(c.shape(0)) : broadcast(inputShapes(c)));

export const broadcastOp: Rule = (c) => [of(c.dtype(0), outShape(c))];
export const compare: Rule = (c) => [of(DType.BOOL, outShape(c))];
export const where: Rule = (c) => [of(c.dtype(1), broadcast(inputShapes(c)))];

export const cast: Rule = (c) => [of(c.int('to', DType.UNDEFINED) as DType, copy(c.shape(0)))];
export const castLike: Rule = (c) => [of(c.dtype(1), copy(c.shape(0)))];

/** QuantizeLinear's type: `output_dtype` (opset 21), else the zero point's, else uint8. */
export const quantize: Rule = (c) => [
  of(c.has('output_dtype') ? (c.int('output_dtype', 0) as DType) : (c.dtype(2) ?? DType.UINT8), copy(c.shape(0))),
];
/** DequantizeLinear yields its scale's type (float until opset 19, which allows float16 and bfloat16 too). */
export const dequantize: Rule = (c) => [of(c.dtype(1) ?? DType.FLOAT, copy(c.shape(0)))];

export const eyeLike: Rule = (c) => [of(c.has('dtype') ? (c.int('dtype', 0) as DType) : c.dtype(0), copy(c.shape(0)))];
