import { writeFile } from 'node:fs/promises';
import { encodeModel } from '../../onnx/serde.js';
import { ok } from '../../pipeline/result.js';
import { defineStage } from '../../pipeline/stage.js';
import type { ModelConfig } from './config.js';
import { buildMobileNetV2 } from './mobilenetv2.js';

export default defineStage<ModelConfig>({
  name: 'build',
  version: 1,
  description: 'MobileNetV2 written as ONNX straight from protobuf, with seeded torchvision-style weights',
  config: (c) => c['model'] as ModelConfig,
  inputs: {},
  outputs: { model: 'model.onnx' },
  async run(ctx) {
    const model = buildMobileNetV2(ctx.config);
    await writeFile(ctx.out('model'), encodeModel(model));
    ctx.log.info('built', { nodes: model.graph.nodes.length, initializers: model.graph.initializers.length });
    return ok(undefined);
  },
});
