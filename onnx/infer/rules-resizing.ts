/** Shape rules for the operators that grow or shrink axes: Expand, Tile, Pad, Resize (and Upsample). */
import { of, unknownDims, type Rule } from './context.js';
import { axis, broadcast, known, ShapeError } from './dims.js';

export const expand: Rule = (c) => {
  const target = c.constant(1);
  return [of(c.dtype(0), target ? broadcast([c.shape(0), target.values]) : undefined)];
};

export const tile: Rule = (c) => {
  const x = c.shape(0);
  const reps = c.constant(1);
  if (!x || !reps) return [of(c.dtype(0), x ? unknownDims(x) : undefined)];
  if (reps.values.length !== x.length)
    throw new ShapeError(`repeats ${JSON.stringify(reps.values)} do not match rank ${x.length}`);
  const out = x.map((d, i) => (known(d) ? d * reps.values[i]! : null));
  return [of(c.dtype(0), out)];
};

/** Pad: `pads` for every axis, or from opset 18 for the axes of a 4th input only. */
export const pad: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  const pads = c.opset < 11 ? (c.ints('pads') ?? c.ints('paddings')) : c.constant(1)?.values;
  const given = c.opset >= 18 && c.present(3) ? c.constant(3)?.values : x.map((_, i) => i);
  if (!pads || !given) return [of(c.dtype(0), unknownDims(x))];
  const n = given.length;
  if (pads.length !== 2 * n) {
    throw new ShapeError(`pads ${JSON.stringify(pads)} must have ${2 * n} entries for ${n} axes`);
  }
  const out = [...x];
  given.forEach((a0, i) => {
    const a = axis(a0, x.length, 'axes entry');
    const d = x[a];
    out[a] = known(d) ? d + pads[i]! + pads[i + n]! : null;
  });
  return [of(c.dtype(0), out)];
};

/**
 * Resize (and Upsample before it): output sizes from a constant `sizes`, or input × constant `scales`. From
 * opset 18 they may cover only the `axes` given, and a `keep_aspect_ratio_policy` other than stretch rescales
 * the sizes: those cases are left unknown.
 */
export const resize: Rule = (c) => {
  const x = c.shape(0);
  if (!x) return [of(c.dtype(0), undefined)];
  if (c.opset >= 18 && (c.has('axes') || c.string('keep_aspect_ratio_policy', 'stretch') !== 'stretch')) {
    return [of(c.dtype(0), unknownDims(x))];
  }
  const opset11 = c.node.opType === 'Resize' && c.opset >= 11;
  const sizes = opset11 && c.present(3) ? c.constant(3)?.values : undefined;
  if (sizes && sizes.length > 0) return [of(c.dtype(0), sizes.length === x.length ? [...sizes] : unknownDims(x))];
  const scaleInput = opset11 ? 2 : 1;
  const scales =
    c.node.opType === 'Upsample' && c.opset < 9 ? c.node.attributes.find((a) => a.name === 'scales')?.value : undefined;
  const factors = scales?.kind === 'floats' ? scales.value : c.constant(scaleInput)?.values;
  if (!factors || factors.length !== x.length) return [of(c.dtype(0), unknownDims(x))];
  const out = x.map((d, i) => (known(d) ? Math.floor(d * factors[i]!) : null));
  return [of(c.dtype(0), out)];
};
