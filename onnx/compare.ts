/**
 * How far one output is from a reference, and the one rule every tolerance check in the project applies to it
 * (optimize, FP16, INT8, the benchmark's correctness): the error is relative where the reference has a
 * magnitude of its own and absolute where it does not,
 *
 *   error = ‖a − b‖₂ / max(‖b‖₂, √n · SCALE_FLOOR)     (b the reference, n its length)
 *
 * so an output whose RMS is at least SCALE_FLOOR is judged by relative L2, and one below it by its RMS
 * error over SCALE_FLOOR: as though its scale were SCALE_FLOOR. The check's tolerance bounds `error` either way.
 */
export interface Agreement {
  /** The largest absolute difference of one element. */
  maxAbs: number;
  /** ‖a − b‖₂ / ‖b‖₂, with b the reference (the absolute L2 error when b is all zero). */
  relL2: number;
  /** The reference's root mean square. */
  refRms: number;
  /** The error the tolerance bounds (see above): relative L2, or RMS error / SCALE_FLOOR. NaN: no comparison. */
  error: number;
  /** Which way `error` judged: by relative error, or by absolute error below the floor. */
  basis: 'relative' | 'absolute';
  /** Share of rows whose argmax agrees, for [batch, classes] outputs; undefined otherwise. */
  top1?: number;
}

/**
 * Below this RMS a reference output has no scale of its own: a VAD's probability or a detector's map on noise
 * (1e-8 to 1e-4), or values below float16's smallest normal (6.1e-5), which float16 cannot carry with relative
 * precision at all. Relative L2 there divides rounding noise by rounding noise (a thread count alone moves it
 * to 2e-4 at an absolute error of 3e-8; an FP16 result of exact zeros reads 1.0 at 2.4e-8). The outputs the
 * corpus's models give (logits, probabilities, maps, features) have RMS 1e-2 to 1e2, so each is judged
 * relatively; below 1e-3 the tolerance bounds the RMS error in units of 1e-3 (FP32's 1e-4: 1e-7 absolute,
 * a thousand float32 ulps of such values and still far below any real mistake, which moves an output by its
 * own size).
 */
export const SCALE_FLOOR = 1e-3;

export function agreement(actual: Float32Array, reference: Float32Array, dims?: readonly number[]): Agreement {
  if (actual.length !== reference.length) {
    throw new Error(`Internal error: comparing ${actual.length} values with ${reference.length}`);
  }
  let maxAbs = 0;
  let diff2 = 0;
  let ref2 = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (actual[i] as number) - (reference[i] as number);
    maxAbs = Math.max(maxAbs, Math.abs(d));
    diff2 += d * d;
    ref2 += (reference[i] as number) ** 2;
  }
  // NaN anywhere must not read as agreement.
  if (Number.isNaN(diff2)) maxAbs = diff2 = Number.NaN;
  const n = Math.max(reference.length, 1);
  const refRms = Math.sqrt(ref2 / n);
  const relL2 = ref2 === 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / ref2);
  const basis = refRms >= SCALE_FLOOR ? 'relative' : 'absolute';
  const error = Math.sqrt(diff2) / Math.max(Math.sqrt(ref2), Math.sqrt(n) * SCALE_FLOOR);
  const result: Agreement = { maxAbs, relL2, refRms, error, basis };
  if (dims && dims.length === 2) result.top1 = top1Agreement(actual, reference, dims[0] as number, dims[1] as number);
  return result;
}

/** An output that could not be compared at all (shape, type or count differs). */
export const notComparable = (): Agreement => ({
  maxAbs: Number.NaN,
  relL2: Number.NaN,
  refRms: Number.NaN,
  error: Number.NaN,
  basis: 'relative',
});

export const within = (a: Agreement, tolerance: number): boolean => !Number.isNaN(a.error) && a.error <= tolerance;

/** The output that fails the tolerance worst (not comparable first), or undefined when all are within it. */
export function worstOutput(
  outputs: Readonly<Record<string, Agreement>>,
  tolerance: number,
): { name: string; agreement: Agreement } | undefined {
  let worst: { name: string; agreement: Agreement } | undefined;
  for (const [name, a] of Object.entries(outputs)) {
    if (within(a, tolerance)) continue;
    if (!worst || Number.isNaN(a.error) || a.error > worst.agreement.error) worst = { name, agreement: a };
    if (Number.isNaN(a.error)) break;
  }
  return worst;
}

/** The largest `error` over the outputs; NaN when any could not be compared. */
export function worstError(outputs: Readonly<Record<string, Agreement>>): number {
  let worst = 0;
  for (const a of Object.values(outputs)) worst = Number.isNaN(a.error) ? Number.NaN : Math.max(worst, a.error);
  return worst;
}

/** One phrase for a failing output: its name, the measure that judged it, and the bound. */
export function describeOutput(name: string, a: Agreement, tolerance: number): string {
  if (Number.isNaN(a.error)) return `output '${name}' is not comparable (shape, type or NaN)`;
  if (a.basis === 'relative') return `output '${name}': relative L2 ${a.error.toExponential(2)} > ${tolerance}`;
  const rms = (a.error * SCALE_FLOOR).toExponential(2);
  return (
    `output '${name}': RMS error ${rms} > ${(tolerance * SCALE_FLOOR).toExponential(2)} (its reference's RMS ` +
    `${a.refRms.toExponential(1)} is below the ${SCALE_FLOOR} floor, so it is judged by absolute error)`
  );
}

function top1Agreement(a: Float32Array, b: Float32Array, rows: number, cols: number): number {
  let same = 0;
  for (let r = 0; r < rows; r++) if (argmax(a, r * cols, cols) === argmax(b, r * cols, cols)) same++;
  return rows === 0 ? 1 : same / rows;
}

function argmax(x: Float32Array, start: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if ((x[start + i] as number) > (x[start + best] as number)) best = i;
  return best;
}
