/**
 * `optimize`: decode once, run the pass list to a fixed point, validate, prove numerically that the model
 * still computes the same thing, encode once. When the proof fails, bisection names the first pass
 * application that broke it.
 */
import type { InputsConfig } from '../../onnx/inputs/index.js';
import { defineStage, lazyRun } from '../../pipeline/stage.js';
import { checkFiles, withInputs } from '../../source/check-source.js';
import { sourceModel } from '../../source/model-ref.js';
import { optimizeConfig, type OptimizeConfig } from './config.js';

export default defineStage<OptimizeConfig & { inputs?: InputsConfig }>({
  name: 'optimize',
  version: 1,
  description: 'graph passes (folding, fusion, clean-up), checked numerically in onnxruntime-node',
  config: withInputs(optimizeConfig),
  files: checkFiles,
  inputs: { model: sourceModel, validation: { stage: 'validate', output: 'report' } },
  outputs: { model: 'model.opt.onnx', passes: 'passes.json' },
  run: lazyRun(() => import('./run.js')),
});
