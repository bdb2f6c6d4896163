/**
 * `engine:torch-aoti:fp32` and `engine:torch-aoti:fp16`: the optimized graph exported with torch.export (its
 * batch dimension dynamic where the model's is) and compiled ahead of time by AOTInductor into one `.pt2`
 * package, which the benchmark loads with aoti_load_package and measures as the engine `torch-aoti`. Keyed like
 * the compiled engine: the model, the settings that change the code (taken from the `bench` section), and the
 * probe's fingerprint (torch, Triton, CUDA, GPU, compute capability, the code that builds it).
 */
import { lazyRun } from '../pipeline/stage.js';
import type { EngineBuild } from '../measure/kit.js';
import { benchConfig } from '../measure/config.js';
import { torchAotiTool } from './aoti-probe.js';
import type { CompileProbeConfig } from './probe.js';
import { latestModel } from '../source/model-ref.js';
import type { Precision } from '../onnx/precision.js';

/** torch.export's bound on the dynamic batch: every measured batch size fits, and a user's up to 1024. */
const MIN_MAX_BATCH = 1024;

export interface AotiEngineConfig extends CompileProbeConfig {
  /** The dynamic batch dimension's upper bound (a model with a fixed batch keeps its own). */
  max_batch: number;
  device: 'auto' | 'cpu' | 'cuda';
  timeout_s: number;
}

export function aotiEngineConfig(precision: Precision, root: Readonly<Record<string, unknown>>): AotiEngineConfig {
  const b = benchConfig(root);
  const unused = !b.engines.includes('torch-aoti')
    ? 'bench.engines does not include torch-aoti: nothing would load this engine'
    : !b.precisions.includes(precision)
      ? `bench.precisions does not include ${precision}: nothing would load this engine`
      : '';
  return {
    precision,
    python: b.python,
    unused,
    max_batch: Math.max(MIN_MAX_BATCH, ...b.batch_sizes),
    device: b.torch.device,
    timeout_s: b.torch.timeout_s,
  };
}

/** `engine:torch-aoti:fp32|fp16`: PyTorch runs the float graph, so there is no INT8 build. */
export const aotiBuild: EngineBuild<AotiEngineConfig> = {
  engine: 'torch-aoti',
  artifact: 'aoti',
  precisions: ['fp32', 'fp16'],
  step: (precision) => ({
    version: 1,
    description: `AOTInductor ${precision.toUpperCase()} package (.pt2) of the optimized graph, for aoti_load_package`,
    config: (root) => aotiEngineConfig(precision, root),
    inputs: { model: latestModel },
    outputs: { engine: `torch-aoti.${precision}.pt2`, manifest: `torch-aoti.${precision}.json` },
    tools: [torchAotiTool<AotiEngineConfig>()],
    run: lazyRun(() => import('./build-aoti.js')),
  }),
};
