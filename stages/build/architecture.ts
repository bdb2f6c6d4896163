/**
 * MobileNetV2's shape as numbers, apart from the graph builder so that the config's memory budget
 * (budget.ts) can size a model without loading the ONNX toolkit.
 */

/** The paper's table: expansion t, output channels c, repeats n, first stride s. */
export const INVERTED_RESIDUALS: readonly [t: number, c: number, n: number, s: number][] = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

/** torchvision's `_make_divisible`: round to a multiple of 8 without going more than 10 % below `v`. */
export function makeDivisible(v: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * v) rounded += divisor;
  return rounded;
}
