/**
 * The `validate` stage: our own opset-aware checker over the model, at the opsets it imports. Errors fail the
 * run with one message naming the user's file and the node or field; the full report is `validation.json`. Nodes
 * out of topological order are sorted (one warning line), not refused.
 */
import { ok, type Result } from '../../pipeline/result.js';
import { defineStage, lazyRun, type UserFiles } from '../../pipeline/stage.js';
import { sourceSection } from '../../source/config.js';
import { givenModel } from '../../source/given.js';
import { sourceModel } from '../../source/model-ref.js';
import { validateConfig, type ValidateConfig } from './config.js';

export default defineStage<ValidateConfig>({
  name: 'validate',
  version: 3,
  description: 'Checks the ONNX model against the opset-aware schema table, graph rules and shape inference',
  config: validateConfig,
  display: (root) => givenModel(root),
  // The user's model file, for messages to name it (keyed by content, like the import: a rename is a hit).
  files: async (root): Promise<Result<UserFiles, string>> => {
    const path = sourceSection(root).path;
    const files: UserFiles = path ? { source: path } : {};
    return ok(files);
  },
  inputs: { model: sourceModel },
  outputs: { report: 'validation.json' },
  run: lazyRun(() => import('./run.js')),
});
