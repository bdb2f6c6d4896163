/**
 * Patterns over the dataflow graph, matched from a root node up through producers. `op` binds a node,
 * `v` any value, `c` a constant (an initializer). Names become the keys of the match, as tinygrad's UPat
 * names become keyword arguments.
 */
import { unreachable } from '../../pipeline/unreachable.js';
import type { Node, Tensor } from '../ir.js';
import { useCount, type GraphIndex } from './graph-index.js';

/** What a value (or the node producing it) must be for a rule to apply; made by `op`, `v`, `c` and `opt`. */
export type Pattern =
  | {
      kind: 'op';
      /** The producing node's operator, in the default domain. */
      opType: string;
      /** Patterns for its inputs, by position; absent: any inputs. */
      inputs?: readonly Pattern[];
      /** The name the match holds the node under (`m.nodes[bind]`). */
      bind?: string;
      /** An inner node must have no other reader (the root is exempt). */
      singleUse: boolean;
    }
  | {
      kind: 'value';
      /** The name the match holds the value under (`m.values[bind]`). */
      bind: string;
    }
  | {
      kind: 'const';
      /** The name the match holds the initializer under (`m.consts[bind]`). */
      bind: string;
    }
  /** An optional trailing input: matches '' (absent) or the inner pattern. */
  | {
      kind: 'optional';
      /** What the input must be when it is there. */
      inner: Pattern;
    };

/** A pattern whose root is an operator: what a rule matches from. */
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

/** A match of a pattern at a root node: everything its names bound. */
export interface Match {
  /** The node the pattern was matched at: the one a replacement replaces. */
  root: Node;
  /** The nodes `op(…, { bind })` bound, by name. */
  nodes: Record<string, Node>;
  /** The value names `v` bound (and those `c` bound), by name. */
  values: Record<string, string>;
  /** The initializers `c` bound, by name. */
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
