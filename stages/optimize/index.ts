/**
 * `optimize`: decode once, run the pass list to a fixed point, validate, prove numerically that the model
 * still computes the same thing, encode once. When the proof fails, bisection names the first pass
 * application that broke it.
 */
import { declareStage, defineStage, lazyRun, type ContextOf } from '../../pipeline/stage.js';
import { checkFiles, withInputs } from '../../source/check-source.js';
import { sourceModel } from '../../source/model-ref.js';
import { optimizeConfig } from './config.js';

const declared = declareStage({
  name: 'optimize',
  version: 1,
  description: 'graph passes (folding, fusion, clean-up), checked numerically in onnxruntime-node',
  config: withInputs(optimizeConfig),
  files: checkFiles,
  inputs: { model: sourceModel, validation: { stage: 'validate', output: 'report' } },
  outputs: { model: 'model.opt.onnx', passes: 'passes.json' },
});

/** Optimize's `ctx`: the source model, validate's report, the check data. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
