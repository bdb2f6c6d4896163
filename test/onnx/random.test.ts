/**
 * The seeded generator: deterministic, and its normals are standard normal, body and tails. A fixed seed makes
 * these checks exact repeats, so the bounds are wide (5 standard errors) yet catch a wrong table or tail.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalFloats, rng } from '../../onnx/random.js';

const N = 1_000_000;

/** Φ by Abramowitz & Stegun 7.1.26 (error < 1.5e-7, far below the KS bound at this N). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const erf =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-z * z);
  return 0.5 * (1 + Math.sign(x) * erf);
}

test('the same seed gives the same values; fillNormal equals normal() drawn one by one', () => {
  assert.deepEqual(normalFloats(1000, 42), normalFloats(1000, 42));
  assert.notDeepEqual(normalFloats(1000, 42), normalFloats(1000, 43));
  const g = rng(5);
  const one = Float32Array.from({ length: 5000 }, () => g.normal() * 0.5);
  assert.deepEqual(rng(5).fillNormal(new Float32Array(5000), 0.5), one);
});

test('normals: Kolmogorov–Smirnov against Φ, mean, variance, and both tails beyond the ziggurat base', () => {
  const x = Float64Array.from(normalFloats(N, 7)).sort();
  let d = 0;
  for (let i = 0; i < N; i++) {
    const f = phi(x[i]!);
    d = Math.max(d, Math.abs(f - i / N), Math.abs(f - (i + 1) / N));
  }
  assert.ok(d < 1.95 / Math.sqrt(N), `KS statistic ${d}`);

  let sum = 0;
  let squares = 0;
  let beyondR = 0;
  let beyond4 = 0;
  let negative = 0;
  for (const v of x) {
    sum += v;
    squares += v * v;
    if (Math.abs(v) > 3.442619855899) beyondR++;
    if (Math.abs(v) > 4) beyond4++;
    if (v < -3.442619855899) negative++;
  }
  assert.ok(Math.abs(sum / N) < 5 / Math.sqrt(N), `mean ${sum / N}`);
  assert.ok(Math.abs(squares / N - 1) < (5 * Math.SQRT2) / Math.sqrt(N), `variance ${squares / N}`);
  const within = (count: number, p: number, what: string) => {
    const sd = Math.sqrt(N * p * (1 - p));
    assert.ok(
      Math.abs(count - N * p) < 5 * sd,
      `${what}: ${count}, expected ${(N * p).toFixed(0)} ± ${(5 * sd).toFixed(0)}`,
    );
  };
  within(beyondR, 2 * (1 - phi(3.442619855899)), '|x| > R (the tail algorithm)');
  within(beyond4, 2 * (1 - phi(4)), '|x| > 4');
  within(negative, 1 - phi(3.442619855899), 'x < −R (the tail is symmetric)');
});

test('uniforms lie in [0, 1) with mean 1/2', () => {
  const g = rng(3);
  let sum = 0;
  for (let i = 0; i < N; i++) {
    const u = g.uniform();
    assert.ok(u >= 0 && u < 1);
    sum += u;
  }
  assert.ok(Math.abs(sum / N - 0.5) < 5 * Math.sqrt(1 / 12 / N));
});
