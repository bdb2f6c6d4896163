/**
 * A seeded generator, so weights and test inputs are the same bytes on every machine and every run.
 * xoshiro128** for uniforms; Marsaglia's polar method for normals (no trigonometry: MobileNetV2's 3.5 M
 * weights are drawn in tens of milliseconds).
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal. */
  normal(): number;
  /** Fills `out` with normals scaled by `std`, faster than calling normal() per element. */
  fillNormal(out: Float32Array, std: number): Float32Array;
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
  let spare = Number.NaN;
  const normal = (): number => {
    if (!Number.isNaN(spare)) {
      const s = spare;
      spare = Number.NaN;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = next() / 0x8000_0000 - 1;
      v = next() / 0x8000_0000 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    spare = v * m;
    return u * m;
  };
  return {
    uniform: () => next() / 0x1_0000_0000,
    normal,
    fillNormal(out, std) {
      // The generator inlined over plain locals: a closure over mutated state is several times slower here.
      let s0 = a, s1 = b, s2 = c, s3 = d;
      let i = 0;
      const n = out.length;
      if (!Number.isNaN(spare) && n > 0) {
        out[i++] = spare * std;
        spare = Number.NaN;
      }
      while (i < n) {
        let r = Math.imul(s1, 5);
        r = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
        let t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        const u = r / 0x8000_0000 - 1;
        r = Math.imul(s1, 5);
        r = Math.imul((r << 7) | (r >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        const v = r / 0x8000_0000 - 1;
        const q = u * u + v * v;
        if (q >= 1 || q === 0) continue;
        const m = Math.sqrt((-2 * Math.log(q)) / q) * std;
        out[i++] = u * m;
        if (i < n) out[i++] = v * m;
        else spare = v * m / std;
      }
      [a, b, c, d] = [s0 >>> 0, s1 >>> 0, s2 >>> 0, s3 >>> 0];
      return out;
    },
  };
}

const rotl = (v: number, k: number): number => ((v << k) | (v >>> (32 - k))) >>> 0;

/** `n` standard-normal float32 values from `seed`: the shared recipe for seeded inputs. */
export function normalFloats(n: number, seed: number): Float32Array {
  return rng(seed).fillNormal(new Float32Array(n), 1);
}
