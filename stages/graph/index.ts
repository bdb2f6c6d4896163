/**
 * The `graph` stage: the raw and the optimized network drawn with GraphViz, as DOT, SVG and PNG, and a page
 * that shows both side by side. Labels carry op type, convolution geometry and inferred output shapes.
 */
import { declareStage, defineStage, lazyRun, type ContextOf } from '../../pipeline/stage.js';
import { latestModel, sourceModel } from '../../source/model-ref.js';
import { graphConfig } from './config.js';
import { dotTool } from './graphviz.js';

const declared = declareStage({
  name: 'graph',
  version: 1,
  description: 'Drawings of the raw and optimized graphs (GraphViz DOT, SVG, PNG, side by side)',
  config: graphConfig,
  // When optimize declines, the second drawing is the last model produced (the source), said so in its heading.
  inputs: { raw: sourceModel, optimized: latestModel },
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
});

/** The graph stage's `ctx`: the source model and the latest one. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
