import { defineStage, lazyRun } from '../../pipeline/stage.js';
import { sourceSection } from '../../source/config.js';
import { modelConfig } from './config.js';

export default defineStage({
  name: 'build',
  version: 1,
  description: 'MobileNetV2 written as ONNX straight from protobuf, with seeded torchvision-style weights',
  config: modelConfig,
  when: (root) => (sourceSection(root).path ? 'the model comes from a file (model.path or --model)' : undefined),
  inputs: {},
  outputs: { model: 'model.onnx' },
  run: lazyRun(() => import('./run.js')),
});
