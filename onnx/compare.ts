/** How far one output is from a reference: the figures every numerical check in the project reports. */
export interface Agreement {
  maxAbs: number;
  /** ‖a − b‖₂ / ‖b‖₂, with b the reference. */
  relL2: number;
  /** Share of rows whose argmax agrees, for [batch, classes] outputs; undefined otherwise. */
  top1?: number;
}

export function agreement(actual: Float32Array, reference: Float32Array, dims?: readonly number[]): Agreement {
  if (actual.length !== reference.length) {
    throw new Error(`Internal error: comparing ${actual.length} values with ${reference.length}`);
  }
  let maxAbs = 0,
    diff2 = 0,
    ref2 = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = (actual[i] as number) - (reference[i] as number);
    maxAbs = Math.max(maxAbs, Math.abs(d));
    diff2 += d * d;
    ref2 += (reference[i] as number) ** 2;
  }
  // NaN anywhere must not read as agreement.
  if (Number.isNaN(diff2)) maxAbs = diff2 = Number.NaN;
  const relL2 = ref2 === 0 ? Math.sqrt(diff2) : Math.sqrt(diff2 / ref2);
  const result: Agreement = { maxAbs, relL2 };
  if (dims && dims.length === 2) result.top1 = top1Agreement(actual, reference, dims[0] as number, dims[1] as number);
  return result;
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
