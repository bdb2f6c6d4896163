/**
 * Which version of an operator applies at an opset: the one with the greatest since_version ≤ opset,
 * exactly ONNX's rule. Only the default domain is covered; other domains are unchecked.
 */
import { knownOps, table } from './table.js';
import type { OpVersion } from './types.js';

export { MAX_OPSET } from './table.js';

export type Lookup =
  | { kind: 'found'; schema: OpVersion }
  /** A default-domain operator first defined after this opset. */
  | { kind: 'not-in-opset'; firstSince: number }
  /** The version that applies at this opset is deprecated (Upsample from 10, Scatter from 11). */
  | { kind: 'deprecated'; since: number }
  /** No ONNX operator of this name in any opset up to MAX_OPSET. */
  | { kind: 'unknown' }
  /** A valid operator outside our table, or another domain: reported as unchecked, never as passed. */
  | { kind: 'uncovered' };

export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

function applicable<T extends { since: number }>(versions: readonly T[], opset: number): T | undefined {
  let best: T | undefined;
  for (const v of versions) if (v.since <= opset && (!best || v.since > best.since)) best = v;
  return best;
}

export function lookupOp(opType: string, opset: number, domain = ''): Lookup {
  if (!isDefaultDomain(domain)) return { kind: 'uncovered' };
  const history = Object.hasOwn(knownOps, opType) ? knownOps[opType] : undefined;
  if (!history || history.length === 0) return { kind: 'unknown' };
  const applies = applicable(history.map(([since, deprecated]) => ({ since, deprecated })), opset);
  if (!applies) return { kind: 'not-in-opset', firstSince: Math.min(...history.map(([s]) => s)) };
  if (applies.deprecated) return { kind: 'deprecated', since: applies.since };
  const versions = Object.hasOwn(table, opType) ? table[opType] : undefined;
  const schema = versions && applicable(versions, opset);
  return schema ? { kind: 'found', schema } : { kind: 'uncovered' };
}

export function coveredOps(): string[] {
  return Object.keys(table);
}
