/** Orders nodes so each comes after the producers of its inputs, in every graph (onnx/rewrite/topo-sort.ts). */
import { graphPass } from '../../../onnx/rewrite/scope.js';
import { sortNodes } from '../../../onnx/rewrite/topo-sort.js';

const description = 'order nodes after the producers of their inputs';

export const topologicalSort = graphPass('topological-sort', description, (g, scope) => {
  scope.checkpoint();
  return sortNodes(g);
});
