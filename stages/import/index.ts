/**
 * `import`: the ONNX file the user brings (`--model FILE`, `model.path`), as given. Keyed by the content of the
 * file and of its external data (which travels with it), never its path or mtime: a renamed or touched file is
 * a hit. Skipped when no file is named, and the build stage makes the built-in MobileNetV2 instead.
 */
import { declareStage, defineStage, lazyRun, type ContextOf } from '../../pipeline/stage.js';
import { sourceSection } from '../../source/config.js';
import { modelFiles } from './files.js';

const declared = declareStage({
  name: 'import',
  version: 1,
  description: 'the ONNX file named by --model or model.path, as given, keyed by its content',
  config: () => null,
  when: (root) => (sourceSection(root).path ? undefined : 'no model.path or --model: the built-in model is built'),
  files: modelFiles,
  inputs: {},
  outputs: { model: 'model.onnx' },
});

/** The import's `ctx`: the user's model file and its external data. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
