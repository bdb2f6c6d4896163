/**
 * `engine:torch-aoti:fp32` and `engine:torch-aoti:fp16`: the optimized graph exported with torch.export (its
 * batch dimension dynamic where the model's is) and compiled ahead of time by AOTInductor into one `.pt2`
 * package, which the benchmark loads with aoti_load_package and measures as the engine `torch-aoti`. Keyed like
 * the compiled engine: the model, the settings that change the code (taken from the `bench` section), the
 * shapes it is exported at (the `model` section's input fields and the check data), and the probe's fingerprint
 * (torch, Triton, CUDA, GPU, compute capability, the code that builds it). A model torch.export or AOTInductor
 * refuses skips it as `unsupported-model` (build-aoti.ts).
 */
import { lazyRun } from '../pipeline/stage.js';
import { declareBuild, defineBuild, type BuildContext } from '../measure/kit.js';
import { torchBench } from './engines.js';
import { torchAotiTool } from './aoti-probe.js';
import { unusedBy, type CompileProbeConfig } from './probe.js';
import { checkFiles } from '../source/check-source.js';
import { inputsConfig } from '../source/config.js';
import { latestModel } from '../source/model-ref.js';
import type { InputsConfig } from '../onnx/inputs/index.js';
import type { Precision } from '../onnx/precision.js';

/** torch.export's bound on the dynamic batch: every measured batch size fits, and a user's up to 1024. */
const MIN_MAX_BATCH = 1024;

export interface AotiEngineConfig extends CompileProbeConfig {
  /** The dynamic batch dimension's upper bound (a model with a fixed batch keeps its own). */
  max_batch: number;
  device: 'auto' | 'cpu' | 'cuda';
  timeout_s: number;
  /** The model's input fields (model.dims, model.inputs, model.batch_dim): the shapes exported for. */
  inputs: InputsConfig;
}

export function aotiEngineConfig(precision: Precision, root: Readonly<Record<string, unknown>>): AotiEngineConfig {
  const b = torchBench(root);
  return {
    precision,
    python: b.python,
    unused: unusedBy(b, 'torch-aoti', precision),
    max_batch: Math.max(MIN_MAX_BATCH, ...b.batch_sizes),
    device: b.torch.device,
    timeout_s: b.torch.timeout_s,
    inputs: inputsConfig(root),
  };
}

const declared = declareBuild({
  engine: 'torch-aoti',
  artifact: 'aoti',
  precisions: ['fp32', 'fp16'],
  step: (precision) => ({
    version: 1,
    description: `AOTInductor ${precision.toUpperCase()} package (.pt2) of the optimized graph, for aoti_load_package`,
    config: (root) => aotiEngineConfig(precision, root),
    inputs: { model: latestModel },
    // The check data fixes the dimensions the config leaves open, as it does for the benchmark.
    files: checkFiles,
    outputs: { engine: `torch-aoti.${precision}.pt2`, manifest: `torch-aoti.${precision}.json` },
    tools: [torchAotiTool<AotiEngineConfig>()],
  }),
});

/** The `ctx` of its run (build-aoti.ts): the latest model and the check data. */
export type Context = BuildContext<typeof declared>;

/** `engine:torch-aoti:fp32|fp16`: PyTorch runs the float graph, so there is no INT8 build. */
export const aotiBuild = defineBuild({ ...declared, run: lazyRun(() => import('./build-aoti.js')) });
