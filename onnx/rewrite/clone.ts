import type { Model } from '../ir.js';

/**
 * Copies everything a pass may edit in place (the graph's lists and the nodes' input/output lists);
 * tensors, attributes and value infos are shared because passes replace them rather than mutate them.
 */
export function cloneModel(model: Model): Model {
  const g = model.graph;
  return {
    ...model,
    opsetImports: model.opsetImports.map((o) => ({ ...o })),
    metadata: [...model.metadata],
    graph: {
      ...g,
      nodes: g.nodes.map((n) => ({
        ...n,
        inputs: [...n.inputs],
        outputs: [...n.outputs],
        attributes: [...n.attributes],
      })),
      inputs: [...g.inputs],
      outputs: [...g.outputs],
      valueInfo: [...g.valueInfo],
      initializers: [...g.initializers],
    },
  };
}
