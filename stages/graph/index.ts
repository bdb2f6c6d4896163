/**
 * The `graph` stage: the raw and the optimized network drawn with GraphViz, as DOT, SVG and PNG, and a page
 * that shows both side by side. Labels carry op type, convolution geometry and inferred output shapes.
 */
import { defineStage, lazyRun } from '../../pipeline/stage.js';
import { sourceModel } from '../../source/model-ref.js';
import { graphConfig, type GraphConfig } from './config.js';
import { dotTool } from './graphviz.js';

export default defineStage<GraphConfig>({
  name: 'graph',
  version: 1,
  description: 'Drawings of the raw and optimized graphs (GraphViz DOT, SVG, PNG, side by side)',
  config: graphConfig,
  inputs: { raw: sourceModel, optimized: { stage: 'optimize', output: 'model' } },
  outputs: {
    rawDot: 'graph.raw.dot',
    rawSvg: 'graph.raw.svg',
    rawPng: 'graph.raw.png',
    optDot: 'graph.opt.dot',
    optSvg: 'graph.opt.svg',
    optPng: 'graph.opt.png',
    page: 'graph.html',
  },
  tools: [dotTool],
  run: lazyRun(() => import('./run.js')),
});
