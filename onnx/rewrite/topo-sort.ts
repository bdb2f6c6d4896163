/**
 * Nodes into topological order. ONNX requires it and onnx.checker refuses a graph without it, but onnxruntime
 * sorts on load and runs one, and exporters that append nodes out of order exist: validate sorts such a model
 * and says so, optimize's `topological-sort` pass and convert:fp16 sort what they read.
 *
 * Kahn's algorithm, stable: among ready nodes the earliest in the current order goes first, so a sorted graph
 * comes back unchanged. A node holding a body also waits for the values its body reads. A value no node of
 * the graph produces is a graph input, an initializer or an enclosing graph's value. A cycle is left as it is.
 */
import type { Graph, Model, Node } from '../ir.js';
import { MinHeap } from './min-heap.js';
import { hasBodies, nodeFreeNames, rewriteBodies } from './subgraphs.js';

/** Sorts one graph's nodes in place (not its bodies); whether any moved. */
export function sortNodes(g: Graph): boolean {
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
}

/** The common case, checked without building the sort's state: every read comes from an earlier node. */
function sorted(nodes: readonly Node[], producerOf: ReadonlyMap<string, number>): boolean {
  return nodes.every((n, i) => {
    const before = (x: string) => (producerOf.get(x) ?? -1) < i;
    return n.inputs.every(before) && (!hasBodies(n) || [...nodeFreeNames(n)].every(before));
  });
}

/** Sorts `model` in place, bodies included; how many nodes changed place (0: it was sorted). */
export function sortModel(model: Model): number {
  const walk = (g: Graph): number => {
    const before = [...g.nodes];
    sortNodes(g);
    let moved = g.nodes.filter((n, i) => n !== before[i]).length;
    for (const n of g.nodes)
      rewriteBodies(n, (body) => {
        const inner = walk(body);
        moved += inner;
        return inner > 0;
      });
    return moved;
  };
  return walk(model.graph);
}
