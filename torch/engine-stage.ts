/**
 * `engine:torch-compile:fp32` and `engine:torch-compile:fp16`: torch.compile of the optimized graph through the
 * torch runner, stored as torch.compile's portable cache artifacts, so the benchmark's compile starts warm
 * instead of from scratch. Keyed by the model, the compile settings the benchmark will use (taken from the
 * `bench` section, so the two cannot disagree), the shapes it feeds (the `model` section's input fields and the
 * check data) and the probe's fingerprint (torch, Triton, CUDA, GPU, compute capability, code).
 */
import { lazyRun } from '../pipeline/stage.js';
import { declareBuild, defineBuild, type BuildContext } from '../measure/kit.js';
import { compileBatches } from '../measure/config.js';
import { torchBench } from './engines.js';
import { torchCompileTool, unusedBy, type CompileProbeConfig } from './probe.js';
import { checkFiles } from '../source/check-source.js';
import { inputsConfig } from '../source/config.js';
import { latestModel } from '../source/model-ref.js';
import type { InputsConfig } from '../onnx/inputs/index.js';
import type { Precision } from '../onnx/precision.js';

/** Only what changes the compiled code enters the key. */
export interface CompileEngineConfig extends CompileProbeConfig {
  batch_sizes: number[];
  channels_last: boolean;
  compile_mode: string;
  tf32: boolean;
  cudnn_benchmark: boolean;
  device: 'auto' | 'cpu' | 'cuda';
  timeout_s: number;
  /** The model's input fields (model.dims, model.inputs, model.batch_dim): the shapes compiled for. */
  inputs: InputsConfig;
}

export function compileEngineConfig(
  precision: Precision,
  root: Readonly<Record<string, unknown>>,
): CompileEngineConfig {
  const b = torchBench(root);
  return {
    precision,
    python: b.python,
    unused: unusedBy(b, 'torch-compile', precision),
    batch_sizes: compileBatches(b),
    channels_last: b.torch.channels_last,
    compile_mode: b.torch.compile_mode,
    tf32: b.torch.tf32,
    cudnn_benchmark: b.torch.cudnn_benchmark,
    device: b.torch.device,
    timeout_s: b.torch.timeout_s,
    inputs: inputsConfig(root),
  };
}

const declared = declareBuild({
  engine: 'torch-compile',
  artifact: 'compiled',
  precisions: ['fp32', 'fp16'],
  step: (precision) => ({
    version: 1,
    description: `torch.compile ${precision.toUpperCase()} of the optimized graph, kept as portable cache artifacts`,
    config: (root) => compileEngineConfig(precision, root),
    inputs: { model: latestModel },
    // The check data fixes the dimensions the config leaves open, as it does for the benchmark.
    files: checkFiles,
    outputs: { engine: `torch-compile.${precision}.cache`, manifest: `torch-compile.${precision}.json` },
    tools: [torchCompileTool<CompileEngineConfig>()],
  }),
});

/** The `ctx` of its run (build-engine.ts): the latest model and the check data. */
export type Context = BuildContext<typeof declared>;

/** `engine:torch-compile:fp32|fp16`: PyTorch runs the float graph, so there is no INT8 build. */
export const compileBuild = defineBuild({ ...declared, run: lazyRun(() => import('./build-engine.js')) });
