/**
 * Weights as torchvision initialises MobileNetV2 (kaiming-normal fan-out convolutions, N(0, 0.01) classifier,
 * zero biases), drawn from our own seeded generator so the same seed gives the same bytes everywhere.
 * BatchNorm is deliberately not left at identity (γ=1, β=0, μ=0, σ²=1): folding it must be really tested.
 */
import type { Rng } from '../../onnx/random.js';

export function convWeight(g: Rng, out: number, inPerGroup: number, k: number): Float32Array {
  // kaiming_normal_(mode='fan_out', nonlinearity='relu'): std = √2 / √(out·k·k).
  return g.fillNormal(new Float32Array(out * inPerGroup * k * k), Math.SQRT2 / Math.sqrt(out * k * k));
}

export interface BatchNormParams {
  weight: Float32Array;
  bias: Float32Array;
  runningMean: Float32Array;
  runningVar: Float32Array;
}

export function batchNorm(g: Rng, c: number): BatchNormParams {
  return {
    weight: fill(c, () => 0.5 + g.uniform()),
    bias: fill(c, () => 0.1 * g.normal()),
    runningMean: fill(c, () => 0.1 * g.normal()),
    runningVar: fill(c, () => 0.5 + g.uniform()),
  };
}

export function linearWeight(g: Rng, out: number, inp: number): Float32Array {
  return g.fillNormal(new Float32Array(out * inp), 0.01);
}

function fill(n: number, draw: () => number): Float32Array {
  const a = new Float32Array(n);
  for (let k = 0; k < n; k++) a[k] = draw();
  return a;
}
