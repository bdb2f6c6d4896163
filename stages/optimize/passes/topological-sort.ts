/**
 * Orders nodes so each comes after the producers of its inputs (Kahn's algorithm, stable: among ready
 * nodes the earliest in the current order goes first, so a sorted graph comes back unchanged and
 * `changed` is honest). A graph with a cycle or an input nobody produces is left as it is.
 */
import type { Node } from '../../../onnx/ir.js';
import { hasSubgraphs } from '../../../onnx/rewrite/graph-index.js';
import { definePass } from '../../../onnx/rewrite/pass.js';

export const topologicalSort = definePass({
  name: 'topological-sort',
  description: 'order nodes after the producers of their inputs',
  run(model) {
    const g = model.graph;
    if (hasSubgraphs(g)) return { model, changed: false };
    const available = new Set([...g.inputs.map((v) => v.name), ...g.initializers.map((t) => t.name), '']);
    const producerOf = new Map<string, number>();
    g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producerOf.set(o, i)));
    const waiting = g.nodes.map((n) => new Set(n.inputs.filter((x) => !available.has(x))));
    if (waiting.some((w) => [...w].some((x) => !producerOf.has(x)))) return { model, changed: false };
    const readers = new Map<string, number[]>();
    waiting.forEach((w, i) => w.forEach((x) => readers.set(x, [...(readers.get(x) ?? []), i])));
    // A sorted array used as a min-heap is plenty at graph sizes; it keeps the order stable.
    const ready = waiting.flatMap((w, i) => (w.size === 0 ? [i] : []));
    const order: Node[] = [];
    while (ready.length > 0) {
      const i = ready.shift() as number;
      const node = g.nodes[i] as Node;
      order.push(node);
      for (const o of node.outputs) {
        for (const r of readers.get(o) ?? []) {
          const w = waiting[r] as Set<string>;
          w.delete(o);
          if (w.size === 0) insertSorted(ready, r);
        }
      }
    }
    if (order.length !== g.nodes.length) return { model, changed: false };
    const changed = order.some((n, i) => n !== g.nodes[i]);
    if (changed) g.nodes = order;
    return { model, changed };
  },
});

function insertSorted(a: number[], x: number): void {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((a[mid] as number) < x) lo = mid + 1;
    else hi = mid;
  }
  a.splice(lo, 0, x);
}
