import { writeModelFile } from '../../onnx/serde.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import type { ModelConfig } from './config.js';
import { buildMobileNetV2 } from './mobilenetv2.js';

export async function run(ctx: StageContext<ModelConfig>): Promise<Result<void, StageFailure>> {
  const model = buildMobileNetV2(ctx.config);
  await writeModelFile(ctx.out('model'), model);
  ctx.log.info('built', { nodes: model.graph.nodes.length, initializers: model.graph.initializers.length });
  return ok(undefined);
}
