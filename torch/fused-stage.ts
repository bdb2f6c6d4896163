/**
 * `engine:torch-fused:fp16`: which of the model's inverted-residual blocks run as one fused Triton kernel, and
 * in which setting, measured once on this GPU and stored, so the benchmark's torch-fused engine loads the
 * choices instead of timing every block again. Keyed like the compiled engines: the model, the batches, and
 * the probe's fingerprint (torch, Triton, CUDA, GPU, compute capability, the kernels' code).
 */
import { lazyRun } from '../pipeline/stage.js';
import type { EngineBuild } from '../measure/kit.js';
import { benchConfig } from '../measure/config.js';
import { torchFusedTool, type CompileProbeConfig } from './probe.js';
import { latestModel } from '../source/model-ref.js';

export interface FusedEngineConfig extends CompileProbeConfig {
  batch_sizes: number[];
  cudnn_benchmark: boolean;
  device: 'auto' | 'cpu' | 'cuda';
  timeout_s: number;
}

function fusedEngineConfig(root: Readonly<Record<string, unknown>>): FusedEngineConfig {
  const b = benchConfig(root);
  const unused = !b.engines.includes('torch-fused')
    ? 'bench.engines does not include torch-fused: nothing would load this plan'
    : !b.precisions.includes('fp16')
      ? 'bench.precisions does not include fp16, the only precision torch-fused runs'
      : '';
  return {
    precision: 'fp16',
    python: b.python,
    unused,
    batch_sizes: b.batch_sizes,
    cudnn_benchmark: b.torch.cudnn_benchmark,
    device: b.torch.device,
    timeout_s: b.torch.timeout_s,
  };
}

/** `engine:torch-fused:fp16`: the kernels are FP16 only. */
export const fusedBuild: EngineBuild<FusedEngineConfig> = {
  engine: 'torch-fused',
  artifact: 'fused',
  precisions: ['fp16'],
  step: () => ({
    version: 1,
    description: "the fused inverted-residual kernels: each block's fastest setting on this GPU (FP16)",
    config: fusedEngineConfig,
    inputs: { model: latestModel },
    outputs: { engine: 'torch-fused.fp16.json', manifest: 'torch-fused.fp16.manifest.json' },
    tools: [torchFusedTool<FusedEngineConfig>()],
    run: lazyRun(() => import('./build-fused.js')),
  }),
};
