/**
 * `--explain` and `plan`: which part of a stage's key data changed since its previous build in the store, one
 * line each (`config width_mult changed 1 → 0.5`, `input model changed (138eceb7f652 → b9a17207d425)`).
 */
import { canonical, type KeyData } from './fingerprint.js';

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
