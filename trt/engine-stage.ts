/**
 * `engine:trt:fp32`, `engine:trt:fp16` and `engine:trt:int8`: one trtexec build each, keyed by the TensorRT build
 * and GPU the probe found (through the tool fingerprint), the build settings and the ONNX. The timing cache persists
 * per stage and fingerprint, so a rebuild after a model change re-times only the layers that changed.
 */
import type { InputsConfig } from '../onnx/inputs/index.js';
import { err } from '../pipeline/result.js';
import { lazyRun, type InputRef } from '../pipeline/stage.js';
import { inputsConfig } from '../source/config.js';
import { latestModel } from '../source/model-ref.js';
import { buildArgs, type BuildSettings } from './build-args.js';
import { trtConfig, type TrtConfig } from './config.js';
import { trtexecTool } from './probe.js';
import { PRECISIONS, type Precision } from '../onnx/precision.js';
import { declareBuild, defineBuild, type BuildContext } from '../measure/kit.js';

/** Only what changes the engine enters the key; benchmark settings do not. */
export interface EngineConfig extends BuildSettings {
  precision: Precision;
  trtexec: string;
  docker: TrtConfig['docker'];
  timeout_s: number;
  /** How the model's inputs resolve (model.dims, model.inputs, model.batch_dim): the shape profile depends on it. */
  model: InputsConfig;
}

/**
 * Whether a precision's engine takes the FP16-only settings (trt.bf16, trt.strongly_typed); a new precision says
 * here whether it does.
 */
const TAKES_FP16_SETTINGS: Readonly<Record<Precision, boolean>> = { fp32: false, fp16: true, int8: false };

function engineConfig(precision: Precision, t: TrtConfig, model: InputsConfig): EngineConfig {
  const fp16Only = TAKES_FP16_SETTINGS[precision]
    ? { bf16: t.bf16, strongly_typed: t.strongly_typed }
    : { bf16: false, strongly_typed: false };
  return {
    precision,
    trtexec: t.trtexec,
    docker: t.docker,
    timeout_s: t.timeout_s,
    workspace_mib: t.workspace_mib,
    builder_optimization_level: t.builder_optimization_level,
    batch: t.batch,
    model,
    ...fp16Only,
  };
}

/**
 * What a skipped stage would have run, for the skip message: the build's own argv builder, for the newest
 * TensorRT this project knows, with the model's shapes as placeholders (the model is not read for a skip).
 */
export function wouldRun(c: EngineConfig): string {
  const args = buildArgs({
    version: { major: 10, minor: 0, patch: 0 },
    precision: c.precision,
    settings: c,
    onnx: '<model>',
    engine: `model.${c.precision}.engine`,
    timingCache: '<timing.cache>',
    inputs: undefined,
  });
  return args.ok ? `trtexec ${args.value.join(' ')}` : `nothing: ${args.error}`;
}

/**
 * FP32 reads the latest model; FP16 also convert:fp16's model, which TensorRT 11 (and 10 under
 * trt.strongly_typed) builds; INT8 only quantize:int8's Q/DQ model, so without one there is no INT8 engine.
 */
const ENGINE_INPUTS: Readonly<Record<Precision, Readonly<Record<string, InputRef>>>> = {
  fp32: { model: latestModel },
  fp16: { model: latestModel, fp16model: { stage: 'convert:fp16', output: 'model', optional: true } },
  int8: { int8model: { stage: 'quantize:int8', output: 'model' } },
};

const declared = declareBuild({
  engine: 'trt',
  artifact: 'trt',
  // TensorRT builds each of them.
  precisions: PRECISIONS,
  step(precision) {
    const tool = trtexecTool<EngineConfig>();
    return {
      version: 1,
      description: `TensorRT ${precision.toUpperCase()} engine built by trtexec`,
      config: (root): EngineConfig => engineConfig(precision, trtConfig(root), inputsConfig(root)),
      inputs: ENGINE_INPUTS[precision],
      outputs: { engine: `model.${precision}.engine`, log: `build.${precision}.log` },
      tools: [
        {
          name: tool.name,
          probe: async (c, exec) => {
            const found = await tool.probe(c, exec);
            return found.ok ? found : err({ message: `${found.error.message} (would have run: ${wouldRun(c)})` });
          },
        },
      ],
    };
  },
});

/** The `ctx` of one TensorRT build (build-engine.ts): its inputs by precision, as `ENGINE_INPUTS` names them. */
export type Context = BuildContext<typeof declared>;

/** `engine:trt:<precision>` for every precision. */
export const trtBuild = defineBuild({ ...declared, run: lazyRun(() => import('./build-engine.js')) });
