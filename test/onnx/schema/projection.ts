/**
 * The schema table as test/onnx/schema/dump-schemas.py prints a reference's definitions: per `op@opset`
 * the version that applies (or null), with keys sorted and no spaces, so that equal definitions give
 * equal bytes and one sha256 can stand for the definitions of onnx versions this machine does not have.
 */
import { createHash } from 'node:crypto';
import { table } from '../../../onnx/schema/table.js';
import type { OpVersion } from '../../../onnx/schema/types.js';

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function project(s: OpVersion) {
  return {
    since: s.since,
    deprecated: s.deprecated === true,
    inputs: s.inputs.map((p) => [p.name, p.kind]),
    outputs: s.outputs.map((p) => [p.name, p.kind]),
    counts: [s.minInputs, s.maxInputs, s.minOutputs, s.maxOutputs],
    attributes: s.attributes.map((a) => [a.name, a.required]),
    types: s.types,
  };
}

/** dump-schemas.py's output for `ops` × opsets first..last, computed from the committed table. */
export function tableDump(ops: readonly string[], first: number, last: number): string {
  const out: Record<string, unknown> = {};
  for (const op of ops) {
    for (let opset = first; opset <= last; opset++) {
      const applies = (table[op] ?? []).filter((v) => v.since <= opset).sort((a, b) => b.since - a.since)[0];
      out[`${op}@${opset}`] = applies ? project(applies) : null;
    }
  }
  return canonical(out);
}

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
