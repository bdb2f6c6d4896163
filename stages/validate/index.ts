/**
 * The `validate` stage: our own opset-aware checker over the model, at the opsets it imports. Errors fail the
 * run with one message naming the user's file and the node or field; the full report is `validation.json`. Nodes
 * out of topological order are sorted (one warning line), not refused.
 */
import { ok } from '../../pipeline/result.js';
import { declareStage, defineStage, lazyRun, type ContextOf } from '../../pipeline/stage.js';
import { sourceSection } from '../../source/config.js';
import { givenModel } from '../../source/given.js';
import { sourceModel } from '../../source/model-ref.js';
import { validateConfig } from './config.js';

const declared = declareStage({
  name: 'validate',
  version: 3,
  description: 'Checks the ONNX model against the opset-aware schema table, graph rules and shape inference',
  config: validateConfig,
  display: (root) => givenModel(root),
  // The user's model file, for messages to name it (keyed by content, like the import: a rename is a hit).
  files: async (root) => ok({ source: sourceSection(root).path }),
  inputs: { model: sourceModel },
  outputs: { report: 'validation.json' },
});

/** Validate's `ctx`: the source model, and the user's file when there is one. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
