/**
 * Quantization parameters: int8 weights symmetric per output channel, activations per tensor (uint8 with a
 * zero point, or int8 symmetric with zero point 0), int32 biases at the product of their input scales. These
 * are the formats onnxruntime's CPU kernels (QLinearConv, QLinearMatMul, QGemm) and TensorRT's explicit
 * quantization read.
 */
import { DType } from '../ir.js';

/** A calibrated range of one tensor; it always contains 0 so that zero (padding, ReLU's floor) is exact. */
export interface Range {
  /** The least value seen (or kept, for percentile calibration). */
  lo: number;
  /** The greatest value seen (or kept). */
  hi: number;
}

/** `uint8`: asymmetric, what onnxruntime's x86 kernels run fastest; `int8`: symmetric, zero point 0 (TensorRT). */
export type ActivationType = 'uint8' | 'int8';

/** One tensor's QuantizeLinear parameters: real = (q − zeroPoint) × scale. */
export interface ActivationParams {
  /** The real value of one integer step, rounded to float32 as the file stores it. */
  scale: number;
  /** The integer that stands for real 0 (0 for int8). */
  zeroPoint: number;
  /** UINT8 or INT8: the quantized tensor's element type. */
  dtype: DType;
}

/** The smallest scale written: a constant-zero tensor still needs a positive scale. */
const TINY = 1e-12;

export function activationParams(range: Range, type: ActivationType): ActivationParams {
  const lo = Math.min(0, range.lo);
  const hi = Math.max(0, range.hi);
  if (type === 'int8') {
    const scale = Math.max(Math.max(-lo, hi) / 127, TINY);
    return { scale: Math.fround(scale), zeroPoint: 0, dtype: DType.INT8 };
  }
  const scale = Math.fround(Math.max((hi - lo) / 255, TINY));
  const zeroPoint = Math.min(255, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint, dtype: DType.UINT8 };
}

/**
 * The weights' largest integer for each activation type. uint8 activations are onnxruntime's x86 format, whose
 * U8S8 kernels on CPUs without VNNI (AVX2, AVX-512F) add two u8 × s8 products in int16 and saturate: 2 × 255 ×
 * 127 overflows 32767. Seven-bit weights (±63) keep every pair in range (onnxruntime's own `reduce_range`);
 * on an AVX2-only EPYC the full range put PP-OCR's classifier at relative L2 0.285 from float32, the reduced one
 * at 0.106 before any layer went back to float. int8 activations are TensorRT's, whose kernels do not saturate.
 */
export const WEIGHT_LEVELS: Readonly<Record<ActivationType, number>> = { uint8: 63, int8: 127 };

/** A weight quantized per output channel. */
export interface ChannelWeights {
  /** The int8 values, in the weight's layout. */
  values: Int8Array;
  /** One scale per channel along the weight's axis. */
  scales: Float32Array;
}

/**
 * Symmetric int8 per channel along `axis`: scale = max|w| / levels per channel, values in [−levels, levels]
 * (−128 is left unused, as both onnxruntime's and TensorRT's symmetric schemes do, so that negation stays exact).
 */
export function quantizeWeights(
  w: Float32Array,
  dims: readonly number[],
  axis: number,
  levels: number = WEIGHT_LEVELS.int8,
): ChannelWeights {
  const channels = dims[axis] as number;
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const scales = new Float32Array(channels);
  const channelOf = (k: number) => Math.floor(k / inner) % channels;
  for (let k = 0; k < w.length; k++) {
    const c = channelOf(k);
    scales[c] = Math.max(scales[c] as number, Math.abs(w[k] as number));
  }
  for (let c = 0; c < channels; c++) scales[c] = Math.max((scales[c] as number) / levels, TINY);
  const values = new Int8Array(w.length);
  for (let k = 0; k < w.length; k++) {
    const q = Math.round((w[k] as number) / (scales[channelOf(k)] as number));
    values[k] = Math.max(-levels, Math.min(levels, q));
  }
  return { values, scales };
}

/** A bias as int32 at scale inputScale × weightScale[c]; values beyond int32 saturate (and are counted). */
export function quantizeBias(
  b: Float32Array,
  inputScale: number,
  weightScales: Float32Array,
): { values: Int32Array; scales: Float32Array; saturated: number } {
  const scales = new Float32Array(b.length);
  const values = new Int32Array(b.length);
  let saturated = 0;
  for (let c = 0; c < b.length; c++) {
    const s = Math.fround(inputScale * (weightScales[weightScales.length === 1 ? 0 : c] as number));
    scales[c] = s;
    const q = Math.round((b[c] as number) / s);
    if (Math.abs(q) > 2 ** 31 - 1) saturated++;
    values[c] = Math.max(-(2 ** 31) + 1, Math.min(2 ** 31 - 1, q));
  }
  return { values, scales, saturated };
}
