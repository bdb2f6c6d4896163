/**
 * Removes what the graph outputs do not need: nodes none of whose outputs are read (ONNX operators have
 * no side effects), initializers and value infos nobody reads, and opset imports no node of any graph uses.
 * In every graph: a body's inputs are its signature and stay; what a body reads from the graphs around it
 * (its free names) is a use of the node that holds it. An opset import stays when the model carries local
 * functions, whose bodies may use it.
 */
import type { Graph, Model } from '../../../onnx/ir.js';
import { definePass } from '../../../onnx/rewrite/pass.js';
import { graphPass } from '../../../onnx/rewrite/scope.js';
import { allGraphs, hasBodies, nodeFreeNames } from '../../../onnx/rewrite/subgraphs.js';

const deadInGraphs = graphPass('remove-dead', '', (g, scope) => {
  scope.checkpoint();
  const live = new Set(g.outputs.map((o) => o.name));
  const keep: typeof g.nodes = [];
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const node = g.nodes[k] as Graph['nodes'][number];
    if (!node.outputs.some((o) => o && live.has(o))) continue;
    keep.push(node);
    for (const i of node.inputs) if (i) live.add(i);
    if (hasBodies(node)) for (const x of nodeFreeNames(node)) live.add(x);
  }
  keep.reverse();
  const inputs = new Set(g.inputs.map((i) => i.name));
  const initializers = g.initializers.filter((t) => live.has(t.name) || inputs.has(t.name));
  const produced = new Set(keep.flatMap((n) => n.outputs));
  const valueInfo = g.valueInfo.filter((vi) => produced.has(vi.name));
  const changed =
    keep.length !== g.nodes.length ||
    initializers.length !== g.initializers.length ||
    valueInfo.length !== g.valueInfo.length;
  if (changed) Object.assign(g, { nodes: keep, initializers, valueInfo });
  return changed;
});

function usedImports(model: Model): Model['opsetImports'] {
  if (model.extra?.functions?.length) return model.opsetImports;
  const domains = new Set<string>();
  for (const g of allGraphs(model.graph)) for (const n of g.nodes) domains.add(n.domain === 'ai.onnx' ? '' : n.domain);
  return model.opsetImports.filter((o) => o.domain === '' || o.domain === 'ai.onnx' || domains.has(o.domain));
}

export const removeDead = definePass({
  name: 'remove-dead',
  description: 'drop unread nodes, initializers, value infos and unused opset imports',
  run(model, options) {
    const graphs = deadInGraphs.run(model, options);
    const opsetImports = usedImports(model);
    if (opsetImports.length === model.opsetImports.length) return graphs;
    return { model: { ...model, opsetImports }, changed: true };
  },
});
