/**
 * Orders nodes so each comes after the producers of its inputs (Kahn's algorithm, stable: among ready
 * nodes the earliest in the current order goes first, so a sorted graph comes back unchanged and
 * `changed` is honest). In every graph; a node holding a body also waits for the values its body reads.
 * A value no node of the graph produces is a graph input, an initializer or an enclosing graph's value.
 * A graph with a cycle is left as it is.
 */
import type { Node } from '../../../onnx/ir.js';
import { graphPass } from '../../../onnx/rewrite/scope.js';
import { hasBodies, nodeFreeNames } from '../../../onnx/rewrite/subgraphs.js';
import { MinHeap } from './min-heap.js';

const description = 'order nodes after the producers of their inputs';

export const topologicalSort = graphPass('topological-sort', description, (g, scope) => {
  scope.checkpoint();
  const producerOf = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producerOf.set(o, i)));
  if (sorted(g.nodes, producerOf)) return false;
  const waiting = g.nodes.map((n) => {
    const reads = hasBodies(n) ? [...n.inputs, ...nodeFreeNames(n)] : n.inputs;
    return new Set(reads.filter((x) => producerOf.has(x)));
  });
  const readers = new Map<string, number[]>();
  waiting.forEach((w, i) =>
    w.forEach((x) => {
      const list = readers.get(x);
      if (list) list.push(i);
      else readers.set(x, [i]);
    }),
  );
  const ready = new MinHeap();
  waiting.forEach((w, i) => w.size === 0 && ready.push(i));
  const order: Node[] = [];
  while (ready.size > 0) {
    const node = g.nodes[ready.pop()] as Node;
    order.push(node);
    for (const o of node.outputs) {
      for (const r of readers.get(o) ?? []) {
        const w = waiting[r] as Set<string>;
        if (w.delete(o) && w.size === 0) ready.push(r);
      }
    }
  }
  if (order.length !== g.nodes.length) return false;
  const changed = order.some((n, i) => n !== g.nodes[i]);
  if (changed) g.nodes = order;
  return changed;
});

/** The common case, checked without building the sort's state: every read comes from an earlier node. */
function sorted(nodes: readonly Node[], producerOf: ReadonlyMap<string, number>): boolean {
  return nodes.every((n, i) => {
    const before = (x: string) => (producerOf.get(x) ?? -1) < i;
    return n.inputs.every(before) && (!hasBodies(n) || [...nodeFreeNames(n)].every(before));
  });
}
