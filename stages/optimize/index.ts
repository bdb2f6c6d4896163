/**
 * `optimize`: decode once, run the pass list to a fixed point, validate, prove numerically that the model
 * still computes the same thing, encode once. When the proof fails, bisection names the first pass
 * application that broke it.
 */
import { defineStage, lazyRun } from '../../pipeline/stage.js';
import { optimizeConfig, type OptimizeConfig } from './config.js';

export default defineStage<OptimizeConfig>({
  name: 'optimize',
  version: 1,
  description: 'graph passes (folding, fusion, clean-up), checked numerically in onnxruntime-node',
  config: optimizeConfig,
  inputs: { model: { stage: 'build', output: 'model' }, validation: { stage: 'validate', output: 'report' } },
  outputs: { model: 'model.opt.onnx', passes: 'passes.json' },
  run: lazyRun(() => import('./run.js')),
});
