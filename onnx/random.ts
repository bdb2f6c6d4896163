/**
 * A seeded generator, so weights and test inputs are the same bytes on every machine and every run.
 * xoshiro128** for uniforms; Box–Muller for normals.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
}

export function rng(seed: number): Rng {
  // splitmix32 spreads a small integer seed over the whole 128-bit state.
  let x = seed >>> 0;
  const split = (): number => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const next = (): number => {
    const r = Math.imul(rotl(Math.imul(b, 5) >>> 0, 7), 9) >>> 0;
    const t = (b << 9) >>> 0;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    return r;
  };
  let spare: number | undefined;
  return {
    uniform: () => next() / 0x1_0000_0000,
    normal: () => {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      const u = 1 - next() / 0x1_0000_0000;
      const v = next() / 0x1_0000_0000;
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}

const rotl = (v: number, k: number): number => ((v << k) | (v >>> (32 - k))) >>> 0;

/** `n` standard-normal float32 values from `seed`: the shared recipe for seeded inputs. */
export function normalFloats(n: number, seed: number): Float32Array {
  const g = rng(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = g.normal();
  return out;
}
