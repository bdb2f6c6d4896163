/**
 * The only place cache keys are made. A key is SHA-256 over a canonical JSON encoding (sorted keys, no
 * whitespace) of what a stage's output is a function of: its name and version, the digest of its code
 * (pipeline/code-identity.ts), its config slice, the content hashes of its inputs and the fingerprints of its tools. Never timestamps or absolute paths. The same data is
 * stored beside each entry, so `--explain` can say which of these changed since the stage last ran.
 */
import { createHash } from 'node:crypto';

export interface KeyData {
  stage: string;
  version: number;
  /** Digest of the code that makes the stage's outputs (its modules, what they import, package versions). */
  code: string | null;
  config: unknown;
  /** Input label → sha256 of the artifact; null for a skipped optional input. */
  inputs: Record<string, string | null>;
  /** Tool name → what the probe reported. */
  tools: Record<string, Readonly<Record<string, string>>>;
}

/** JSON with object keys sorted at every level; `undefined` members are dropped as JSON.stringify does. */
export function canonical(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`Internal error: non-finite number ${value} in a cache key`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonical(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  throw new Error(`Internal error: ${typeof value} cannot enter a cache key`);
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export const keyOf = (data: KeyData): string => sha256(canonical(data));

/** A short hash of tool fingerprints: the persistent directory of a stage (e.g. a TensorRT timing cache). */
export const toolsHash = (tools: KeyData['tools']): string => sha256(canonical(tools)).slice(0, 16);

const show = (v: unknown): string => (v === undefined ? '(absent)' : canonical(v));

/** Leaves of a JSON value as dotted path → canonical text; arrays are compared whole. */
function leaves(value: unknown, prefix: string, into: Map<string, string>): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) into.set(prefix, '{}');
    for (const [k, v] of entries) leaves(v, prefix ? `${prefix}.${k}` : k, into);
  } else if (value !== undefined) {
    into.set(prefix, canonical(value));
  }
  return into;
}

function diffMaps(what: string, a: Map<string, string>, b: Map<string, string>): string[] {
  const out: string[] = [];
  for (const k of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const x = a.get(k);
    const y = b.get(k);
    if (x !== y) out.push(`${what}${k ? ` ${k}` : ''} changed ${x ?? '(absent)'} → ${y ?? '(absent)'}`);
  }
  return out;
}

/** Why `next` differs from `prev`, one line per changed input of the key; empty when the keys are equal. */
export function explainChange(prev: KeyData | undefined, next: KeyData): string[] {
  if (!prev) return ['no earlier build of this stage in the store'];
  const out: string[] = [];
  if (prev.version !== next.version) out.push(`stage version ${prev.version} → ${next.version}`);
  if ((prev.code ?? null) !== (next.code ?? null)) out.push(`code of stage ${next.stage} changed`);
  out.push(...diffMaps('config', leaves(prev.config, '', new Map()), leaves(next.config, '', new Map())));
  for (const label of [...new Set([...Object.keys(prev.inputs), ...Object.keys(next.inputs)])].sort()) {
    const a = prev.inputs[label];
    const b = next.inputs[label];
    if (a !== b) {
      const state = (h: string | null | undefined) =>
        h === undefined ? 'absent' : h === null ? 'skipped' : h.slice(0, 12);
      out.push(`input ${label} changed (${state(a)} → ${state(b)})`);
    }
  }
  for (const tool of [...new Set([...Object.keys(prev.tools), ...Object.keys(next.tools)])].sort()) {
    const a = prev.tools[tool];
    const b = next.tools[tool];
    if (!a || !b) {
      if (a !== b) out.push(`tool ${tool} ${a ? 'no longer used' : 'newly used'}: ${show(a ?? b)}`);
      continue;
    }
    out.push(
      ...diffMaps(`tool ${tool}`, leaves(a, '', new Map()), leaves(b, '', new Map())).map((l) =>
        l.replace(`tool ${tool} `, `tool ${tool}.`),
      ),
    );
  }
  return out;
}
