/**
 * Where a model already holds NaN or ±Inf, so a numeric check that fails can blame the input rather than the
 * pass or conversion it was checking: the first float initializer (or Constant) with non-finite values, or
 * the first output that is non-finite on the check's own inputs.
 */
import { DType, type Model } from './ir.js';
import { tensorValues } from './tensor.js';

export interface NonFinite {
  /** `initializer "name"` or `output "name"`. */
  where: string;
  nan: number;
  inf: number;
  total: number;
}

function count(values: ArrayLike<number>): { nan: number; inf: number } {
  let nan = 0, inf = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) nan++;
    else if (v === Infinity || v === -Infinity) inf++;
  }
  return { nan, inf };
}

/** The first float32/float64 constant of the main graph holding NaN or Inf. */
export function nonFiniteWeights(model: Model): NonFinite | undefined {
  const constants = [
    ...model.graph.initializers.map((t) => ({ t, where: `initializer "${t.name}"` })),
    ...model.graph.nodes.flatMap((n) => n.attributes.flatMap((a) => (a.value?.kind === 'tensor' ? [{ t: a.value.value, where: `Constant node "${n.name}"` }] : []))),
  ];
  for (const { t, where } of constants) {
    if (t.dtype !== DType.FLOAT && t.dtype !== DType.DOUBLE) continue;
    const values = tensorValues(t);
    if (!values.ok) continue;
    const c = count(values.value as Float32Array | Float64Array);
    if (c.nan + c.inf > 0) return { where, ...c, total: values.value.length };
  }
  return undefined;
}

/** The first output holding NaN or Inf. */
export function nonFiniteOutput(outputs: Readonly<Record<string, { data: Float32Array }>>): NonFinite | undefined {
  for (const [name, t] of Object.entries(outputs)) {
    const c = count(t.data);
    if (c.nan + c.inf > 0) return { where: `output "${name}"`, ...c, total: t.data.length };
  }
  return undefined;
}

export const describeNonFinite = (f: NonFinite): string =>
  `${f.where} holds ${[f.nan ? `${f.nan} NaN` : '', f.inf ? `${f.inf} Inf` : ''].filter(Boolean).join(' and ')} of ${f.total} values`;
