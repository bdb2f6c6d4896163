/**
 * `engine:torch-fused:fp16`: which of the model's inverted-residual blocks run as one fused Triton kernel, and
 * in which setting, measured once on this GPU and stored, so the benchmark's torch-fused engine loads the
 * choices instead of timing every block again. Keyed like the compiled engines: the model, the batches, the
 * shapes (the `model` section's input fields and the check data), and the probe's fingerprint (torch, Triton,
 * CUDA, GPU, compute capability, the kernels' code).
 */
import { lazyRun } from '../pipeline/stage.js';
import { declareBuild, defineBuild, type BuildContext } from '../measure/kit.js';
import { torchBench } from './engines.js';
import { torchFusedTool, unusedBy, type CompileProbeConfig } from './probe.js';
import { checkFiles } from '../source/check-source.js';
import { inputsConfig } from '../source/config.js';
import { latestModel } from '../source/model-ref.js';
import type { InputsConfig } from '../onnx/inputs/index.js';

export interface FusedEngineConfig extends CompileProbeConfig {
  batch_sizes: number[];
  cudnn_benchmark: boolean;
  device: 'auto' | 'cpu' | 'cuda';
  timeout_s: number;
  /** The model's input fields (model.dims, model.inputs, model.batch_dim): the shapes timed at. */
  inputs: InputsConfig;
}

function fusedEngineConfig(root: Readonly<Record<string, unknown>>): FusedEngineConfig {
  const b = torchBench(root);
  return {
    precision: 'fp16',
    python: b.python,
    unused: unusedBy(b, 'torch-fused', 'fp16'),
    batch_sizes: b.batch_sizes,
    cudnn_benchmark: b.torch.cudnn_benchmark,
    device: b.torch.device,
    timeout_s: b.torch.timeout_s,
    inputs: inputsConfig(root),
  };
}

const declared = declareBuild({
  engine: 'torch-fused',
  artifact: 'fused',
  precisions: ['fp16'],
  step: () => ({
    version: 1,
    description: "the fused inverted-residual kernels: each block's fastest setting on this GPU (FP16)",
    config: fusedEngineConfig,
    inputs: { model: latestModel },
    // The check data fixes the dimensions the config leaves open, as it does for the benchmark.
    files: checkFiles,
    outputs: { engine: 'torch-fused.fp16.json', manifest: 'torch-fused.fp16.manifest.json' },
    tools: [torchFusedTool<FusedEngineConfig>()],
  }),
});

/** The `ctx` of its run (build-fused.ts): the latest model and the check data. */
export type Context = BuildContext<typeof declared>;

/** `engine:torch-fused:fp16`: the kernels are FP16 only. */
export const fusedBuild = defineBuild({ ...declared, run: lazyRun(() => import('./build-fused.js')) });
