/**
 * The `validate` stage: our own opset-aware checker over the model, at the opsets it imports. Errors fail the
 * run with one message naming the file and the node or field; the full report is `validation.json`.
 */
import { defineStage, lazyRun } from '../../pipeline/stage.js';
import { sourceModel } from '../../source/model-ref.js';
import { validateConfig, type ValidateConfig } from './config.js';

export default defineStage<ValidateConfig>({
  name: 'validate',
  version: 2,
  description: 'Checks the ONNX model against the opset-aware schema table, graph rules and shape inference',
  config: validateConfig,
  inputs: { model: sourceModel },
  outputs: { report: 'validation.json' },
  run: lazyRun(() => import('./run.js')),
});
