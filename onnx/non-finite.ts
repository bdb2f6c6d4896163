/**
 * Where a model's non-finite values come from before anything runs: a float initializer or Constant (in any
 * body) or a fed input that already holds NaN or ±Inf. A numeric check whose reference output is not finite
 * names these, so the user is pointed at their model or their data, never at a pass.
 */
import type { Feeds } from './inputs/index.js';
import { DType, type Model, type Tensor } from './ir.js';
import { allGraphs } from './rewrite/subgraphs.js';
import { tensorValues } from './tensor.js';

/** A float16/bfloat16 bit pattern whose exponent is all ones is NaN or ±Inf. */
const HALF_EXPONENT: Partial<Record<DType, number>> = { [DType.FLOAT16]: 0x7c00, [DType.BFLOAT16]: 0x7f80 };

const FLOATS: ReadonlySet<DType> = new Set([DType.FLOAT, DType.DOUBLE, DType.FLOAT16, DType.BFLOAT16]);

function holdsNonFinite(t: Tensor): boolean {
  if (!FLOATS.has(t.dtype)) return false;
  const values = tensorValues(t);
  if (!values.ok) return false;
  const mask = HALF_EXPONENT[t.dtype];
  const v = values.value as ArrayLike<number>;
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    if (mask === undefined ? !Number.isFinite(x) : (x & mask) === mask) return true;
  }
  return false;
}

/** Names of the model's constants and the fed inputs that hold NaN or ±Inf, as `initializer 'w'` etc. */
export function nonFiniteSources(model: Model, feeds: Feeds = {}): string[] {
  const found: string[] = [];
  for (const [name, t] of Object.entries(feeds)) {
    const d = t.data;
    if ((d instanceof Float32Array || d instanceof Float64Array) && d.some((x) => !Number.isFinite(x)))
      found.push(`input '${name}'`);
  }
  for (const g of allGraphs(model.graph)) {
    for (const t of g.initializers) if (holdsNonFinite(t)) found.push(`initializer '${t.name}'`);
    for (const n of g.nodes) {
      if (n.opType !== 'Constant' || n.domain !== '') continue;
      const value = n.attributes.find((a) => a.value.kind === 'tensor')?.value;
      if (value?.kind === 'tensor' && holdsNonFinite(value.value))
        found.push(`Constant node '${n.name || n.outputs[0]}'`);
    }
  }
  return found;
}
