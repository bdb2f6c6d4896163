/** Dimension arithmetic shared by the shape rules. A rule throws ShapeError for a definite inconsistency. */
import type { Dim } from '../ir.js';

export class ShapeError extends Error {}

export const known = (d: Dim | undefined): d is number => typeof d === 'number';

export function allKnown(dims: readonly Dim[]): dims is number[] {
  return dims.every(known);
}

/** The number of elements; a lone symbolic dimension among 1s keeps its name (Flatten of [N, C, 1, 1]). */
export function product(dims: readonly Dim[]): Dim {
  if (allKnown(dims)) return dims.reduce((a, b) => a * b, 1);
  const rest = dims.filter((d) => d !== 1);
  return rest.length === 1 && typeof rest[0] === 'string' ? rest[0] : null;
}

/** Normalizes a possibly negative axis against a rank, or throws for one out of range. */
export function axis(a: number, rank: number, what = 'axis'): number {
  const n = a < 0 ? a + rank : a;
  if (n < 0 || n >= rank) throw new ShapeError(`${what} ${a} is out of range for rank ${rank}`);
  return n;
}

/** numpy's multidirectional broadcasting; undefined when any rank is unknown. */
export function broadcast(shapes: readonly (readonly Dim[] | undefined)[]): Dim[] | undefined {
  if (shapes.some((s) => s === undefined)) return undefined;
  const all = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...all.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    const present = all.map((s) => (s.length - rank + i >= 0 ? s[s.length - rank + i]! : 1));
    const numbers = new Set(present.filter(known).filter((d) => d !== 1));
    if (numbers.size > 1)
      throw new ShapeError(
        `cannot broadcast dimensions ${[...numbers].join(' and ')} (shapes ${all.map(fmt).join(', ')})`,
      );
    if (numbers.size === 1) out.push([...numbers][0]!);
    else {
      const others = present.filter((d) => d !== 1);
      if (others.length === 0) out.push(1);
      else if (others.every((d) => typeof d === 'string' && d === others[0])) out.push(others[0]!);
      else out.push(null);
    }
  }
  return out;
}

export function fmt(shape: readonly Dim[] | undefined): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '[unknown rank]';
}
