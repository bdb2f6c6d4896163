/**
 * Which version of an operator applies at an opset: the one with the greatest since_version ≤ opset,
 * exactly ONNX's rule. The default domain is checked in full; ai.onnx.ml and the training domains are
 * known by name only (an unknown operator there is an error, a known one unchecked); other domains
 * (com.microsoft...) are unchecked.
 */
import { knownOps, table } from './table.js';
import type { OpVersion } from './types.js';

export { MAX_OPSET } from './table.js';

/** What the table says of an operator at an opset. */
export type Lookup =
  | {
      kind: 'found';
      /** The version that applies: what a node of it is checked against. */
      schema: OpVersion;
    }
  /** An operator first defined after this opset. */
  | {
      kind: 'not-in-opset';
      /** The opset that first defines it: the import the model would need. */
      firstSince: number;
    }
  /** The version that applies at this opset is deprecated (Upsample from 10, Scatter from 11). */
  | {
      kind: 'deprecated';
      /** The opset from which it is deprecated. */
      since: number;
    }
  /** No operator of this name in the domain, in any version the table knows. */
  | { kind: 'unknown' }
  /** A valid operator of a domain known by name only, or any operator of another domain: never passed silently. */
  | { kind: 'uncovered' };

export function isDefaultDomain(domain: string): boolean {
  return domain === '' || domain === 'ai.onnx';
}

/** Domains whose operators the table knows by name, besides the default one. */
export function isKnownDomain(domain: string): boolean {
  return isDefaultDomain(domain) || Object.hasOwn(knownOps, domain);
}

function applicable<T extends { since: number }>(versions: readonly T[], opset: number): T | undefined {
  let best: T | undefined;
  for (const v of versions) if (v.since <= opset && (!best || v.since > best.since)) best = v;
  return best;
}

function resolve<T extends { since: number; deprecated?: boolean }>(
  versions: readonly T[] | undefined,
  opset: number,
): Exclude<Lookup, { kind: 'found' | 'uncovered' }> | { kind: 'applies'; version: T } {
  if (!versions || versions.length === 0) return { kind: 'unknown' };
  const applies = applicable(versions, opset);
  if (!applies) return { kind: 'not-in-opset', firstSince: Math.min(...versions.map((v) => v.since)) };
  if (applies.deprecated) return { kind: 'deprecated', since: applies.since };
  return { kind: 'applies', version: applies };
}

/** `opset` is the version the model imports for the node's domain. */
export function lookupOp(opType: string, opset: number, domain = ''): Lookup {
  if (isDefaultDomain(domain)) {
    const r = resolve(Object.hasOwn(table, opType) ? table[opType] : undefined, opset);
    return r.kind === 'applies' ? { kind: 'found', schema: r.version } : r;
  }
  if (!Object.hasOwn(knownOps, domain)) return { kind: 'uncovered' };
  const ops = knownOps[domain]!;
  const history = Object.hasOwn(ops, opType)
    ? ops[opType]!.map(([since, deprecated]) => ({ since, deprecated: deprecated === 1 }))
    : undefined;
  const r = resolve(history, opset);
  return r.kind === 'applies' ? { kind: 'uncovered' } : r;
}

export function coveredOps(): string[] {
  return Object.keys(table);
}
