import { defineStage, lazyRun } from '../../pipeline/stage.js';
import { modelConfig, type ModelConfig } from './config.js';

export default defineStage<ModelConfig>({
  name: 'build',
  version: 1,
  description: 'MobileNetV2 written as ONNX straight from protobuf, with seeded torchvision-style weights',
  config: modelConfig,
  inputs: {},
  outputs: { model: 'model.onnx' },
  run: lazyRun(() => import('./run.js')),
});
