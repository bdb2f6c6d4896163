/**
 * Removes what the graph outputs do not need: nodes none of whose outputs are read (ONNX operators have
 * no side effects), initializers and value infos nobody reads, and opset imports no node uses. A graph
 * with subgraphs is left alone, because outer values read inside a body are invisible here; so is an
 * opset import when the model carries local functions, whose bodies may use it.
 */
import { hasSubgraphs } from '../../../onnx/rewrite/graph-index.js';
import { definePass } from '../../../onnx/rewrite/pass.js';

export const removeDead = definePass({
  name: 'remove-dead',
  description: 'drop unread nodes, initializers, value infos and unused opset imports',
  run(model) {
    const g = model.graph;
    if (hasSubgraphs(g)) return { model, changed: false };
    const live = new Set(g.outputs.map((o) => o.name));
    const keep: typeof g.nodes = [];
    for (const node of [...g.nodes].reverse()) {
      if (!node.outputs.some((o) => o && live.has(o))) continue;
      keep.push(node);
      for (const i of node.inputs) if (i) live.add(i);
    }
    keep.reverse();
    const inputs = new Set(g.inputs.map((i) => i.name));
    const initializers = g.initializers.filter((t) => live.has(t.name) || inputs.has(t.name));
    const produced = new Set(keep.flatMap((n) => n.outputs));
    const valueInfo = g.valueInfo.filter((vi) => produced.has(vi.name));
    const domains = new Set(keep.map((n) => (n.domain === 'ai.onnx' ? '' : n.domain)));
    const opsetImports = model.extra?.functions?.length
      ? model.opsetImports
      : model.opsetImports.filter((o) => o.domain === '' || o.domain === 'ai.onnx' || domains.has(o.domain));
    const changed = keep.length !== g.nodes.length || initializers.length !== g.initializers.length
      || valueInfo.length !== g.valueInfo.length || opsetImports.length !== model.opsetImports.length;
    if (!changed) return { model, changed };
    return { model: { ...model, opsetImports, graph: { ...g, nodes: keep, initializers, valueInfo } }, changed };
  },
});
