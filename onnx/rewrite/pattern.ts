/**
 * The matcher of rule.ts's patterns over the dataflow graph: from a root node up through producers, filling the
 * `Match` with what each name bound.
 */
import { unreachable } from '../../pipeline/unreachable.js';
import type { Node } from '../ir.js';
import { useCount, type GraphIndex } from './graph-index.js';
import type { Match, OpPattern, Pattern } from './rule.js';

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
