/**
 * Patterns over the dataflow graph, matched from a root node up through producers. `op` binds a node,
 * `v` any value, `c` a constant (an initializer). Names become the keys of the match, as tinygrad's UPat
 * names become keyword arguments.
 */
import { unreachable } from '../../pipeline/unreachable.js';
import type { Node, Tensor } from '../ir.js';
import { useCount, type GraphIndex } from './graph-index.js';

export type Pattern =
  | { kind: 'op'; opType: string; inputs?: readonly Pattern[]; bind?: string; singleUse: boolean }
  | { kind: 'value'; bind: string }
  | { kind: 'const'; bind: string }
  /** An optional trailing input: matches '' (absent) or the inner pattern. */
  | { kind: 'optional'; inner: Pattern };

export type OpPattern = Extract<Pattern, { kind: 'op' }>;

/**
 * An operator. Inputs listed are matched positionally; extra node inputs beyond them are allowed only
 * when `inputs` is omitted. An inner op must have a single use unless `singleUse: false`, because
 * rewriting it away would otherwise leave its other users stranded or duplicate its work.
 */
export const op = (
  opType: string,
  inputs?: readonly Pattern[],
  opts: { bind?: string; singleUse?: boolean } = {},
): OpPattern => ({
  kind: 'op',
  opType,
  inputs,
  bind: opts.bind,
  singleUse: opts.singleUse ?? true,
});
export const v = (bind: string): Pattern => ({ kind: 'value', bind });
export const c = (bind: string): Pattern => ({ kind: 'const', bind });
export const opt = (inner: Pattern): Pattern => ({ kind: 'optional', inner });

export interface Match {
  root: Node;
  nodes: Record<string, Node>;
  values: Record<string, string>;
  consts: Record<string, Tensor>;
  /** Every matched node, root last: the ones the rewrite engine may delete. */
  matched: Node[];
}

export function matchPattern(pattern: OpPattern, root: Node, index: GraphIndex): Match | undefined {
  const m: Match = { root, nodes: {}, values: {}, consts: {}, matched: [] };
  return matchNode(pattern, root, index, m, true) ? m : undefined;
}

function matchNode(p: OpPattern, node: Node, index: GraphIndex, m: Match, isRoot: boolean): boolean {
  if (node.opType !== p.opType || (node.domain !== '' && node.domain !== 'ai.onnx')) return false;
  if (!isRoot && p.singleUse && node.outputs.some((o) => o && useCount(index, o) > 1)) return false;
  if (!isRoot && node.outputs.some((o) => index.graphOutputs.has(o))) return false;
  if (p.inputs) {
    if (node.inputs.length > p.inputs.length) return false;
    for (let i = 0; i < p.inputs.length; i++)
      if (!matchValue(p.inputs[i] as Pattern, node.inputs[i] ?? '', index, m)) return false;
  }
  if (p.bind) m.nodes[p.bind] = node;
  m.matched.push(node);
  return true;
}

function matchValue(p: Pattern, value: string, index: GraphIndex, m: Match): boolean {
  switch (p.kind) {
    case 'optional':
      return value === '' || matchValue(p.inner, value, index, m);
    case 'value':
      if (value === '') return false;
      return bindValue(m, p.bind, value);
    case 'const': {
      const t = index.constants.get(value);
      if (!t) return false;
      m.consts[p.bind] = t;
      return bindValue(m, p.bind, value);
    }
    case 'op': {
      const producer = index.producer.get(value);
      return producer !== undefined && producer.outputs[0] === value && matchNode(p, producer, index, m, false);
    }
    default:
      return unreachable(p);
  }
}

/** The same name twice in a pattern means the same value. */
function bindValue(m: Match, name: string, value: string): boolean {
  const seen = m.values[name];
  if (seen !== undefined && seen !== value) return false;
  m.values[name] = value;
  return true;
}
