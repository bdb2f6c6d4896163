/**
 * Applying one rule's replacement to a graph through its index: the index is updated in place, and the
 * changes to the node list are recorded in `Edits` (the rule engine rebuilds the list once, at the end).
 * Returns the nodes whose matches may have changed (to look at again), or why the replacement cannot apply
 * without changing the graph's interface or stranding a value a body reads.
 */
import type { Node, Tensor } from '../ir.js';
import { addNode, removeNode, renameUses, useCount, type GraphIndex } from './graph-index.js';
import type { Match } from './rule.js';
import type { Replacement } from './rule.js';

/** What rewrites did to the node list, for the engine to apply once at the end. */
export interface Edits {
  /** Nodes gone from the graph. */
  removed: Set<Node>;
  /** A removed node's place in the order, taken by these nodes. */
  replaced: Map<Node, Node[]>;
  /** New initializers the replacements read. */
  initializers: Tensor[];
  /** value_info entries to drop: values renamed away by an alias replacement. */
  droppedValueInfo: Set<string>;
}

export function applyReplacement(index: GraphIndex, edits: Edits, m: Match, r: Replacement | string): Node[] | string {
  if (typeof r === 'string') return r;
  const touched = 'alias' in r ? applyAlias(index, edits, m.root, r.alias) : applyNodes(index, edits, m.root, r);
  if (typeof touched === 'string') return touched;
  lostUses(index, m.root, touched);
  removeDeadMatched(index, edits, m, touched);
  return touched;
}

/** The root goes and its readers read `alias`; a graph output keeps its name, given to alias's producer. */
function applyAlias(index: GraphIndex, edits: Edits, root: Node, alias: string): Node[] | string {
  const old = root.outputs[0] ?? '';
  if (root.outputs.slice(1).some((o) => o && useCount(index, o) > 0)) {
    return 'a secondary output (such as a mask) is used';
  }
  if (index.captured.has(old)) return 'a subgraph reads its output, which would have to be renamed inside the body';
  if (!index.graphOutputs.has(old)) {
    remove(index, edits, root);
    return renameUses(index, old, alias);
  }
  const producer = index.producer.get(alias);
  if (!producer || index.graphOutputs.has(alias)) {
    return 'it would link a graph input, constant or another output straight to a graph output';
  }
  if (index.captured.has(alias)) return 'a subgraph reads its input, which would have to be renamed inside the body';
  remove(index, edits, root);
  removeNode(index, producer);
  producer.outputs = producer.outputs.map((o) => (o === alias ? old : o));
  addNode(index, producer);
  renameUses(index, alias, old);
  edits.droppedValueInfo.add(alias);
  return [producer, ...(index.consumers.get(old) ?? [])];
}

/** The root's place taken by new nodes (and their constants); every reader of what they produce is touched. */
function applyNodes(index: GraphIndex, edits: Edits, root: Node, r: { nodes: Node[]; initializers?: Tensor[] }) {
  remove(index, edits, root);
  edits.replaced.set(root, r.nodes);
  for (const t of r.initializers ?? []) {
    edits.initializers.push(t);
    index.constants.set(t.name, t);
  }
  const touched: Node[] = [];
  for (const n of r.nodes) {
    addNode(index, n);
    touched.push(n);
    // A new producer: every reader's match may change.
    for (const o of n.outputs) for (const c of (o && index.consumers.get(o)) || []) touched.push(c);
  }
  return touched;
}

/**
 * The node's inputs each lost a reader. A match that needs its inner node single-use may now hold for the
 * one reader left, and only then; looking at every reader of a widely read value would make a pass quadratic.
 */
function lostUses(index: GraphIndex, node: Node, touched: Node[]): void {
  for (const i of node.inputs) {
    const readers = i ? index.consumers.get(i) : undefined;
    if (readers?.size === 1) touched.push(...readers);
  }
}

function remove(index: GraphIndex, edits: Edits, node: Node): void {
  removeNode(index, node);
  edits.removed.add(node);
}

/** Inner matched nodes whose outputs nobody reads any more go with the root. */
function removeDeadMatched(index: GraphIndex, edits: Edits, m: Match, touched: Node[]): void {
  for (const n of [...m.matched].reverse()) {
    if (n === m.root || edits.removed.has(n)) continue;
    if (n.outputs.every((o) => !o || useCount(index, o) === 0)) {
      remove(index, edits, n);
      lostUses(index, n, touched);
    }
  }
}
