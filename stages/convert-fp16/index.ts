/**
 * `convert:fp16`: the optimized model with weights and compute in float16. Validated, then checked against
 * the float32 model in onnxruntime-node on seeded inputs (relative L2 within the tolerance; top-1
 * agreement reported). A model with float16 I/O is checked through its float32-I/O twin, which computes
 * exactly the same in between.
 */
import { declareStage, defineStage, lazyRun, type ContextOf } from '../../pipeline/stage.js';
import { checkFiles, withInputs } from '../../source/check-source.js';
import { latestModel } from '../../source/model-ref.js';
import { fp16Config } from './config.js';

const declared = declareStage({
  name: 'convert:fp16',
  version: 2,
  description: 'weights and compute to float16, float32 at the graph boundary',
  config: withInputs(fp16Config),
  files: checkFiles,
  inputs: { model: latestModel },
  outputs: { model: 'model.fp16.onnx', report: 'fp16.json' },
  tags: { precision: 'fp16' },
});

/** convert:fp16's `ctx`: the latest model, the check data. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
