/**
 * engine:torch-fused:fp16's build: torch_engine.py times every inverted-residual block as the fused Triton
 * kernel and as PyTorch's operators on this GPU (torch/fused_engine.py) and writes each block's choice.
 */
import type { Result } from '../pipeline/result.js';
import type { Declined, StageFailure } from '../pipeline/stage.js';
import { build } from './build-engine.js';
import type { Context } from './fused-stage.js';

export async function run(ctx: Context): Promise<Result<void | Declined, StageFailure>> {
  const c = ctx.config;
  return build(ctx, 'torch-fused', 'engine:torch-fused:fp16', {
    engine: 'fused',
    cudnnBenchmark: c.cudnn_benchmark,
    device: c.device,
  });
}
