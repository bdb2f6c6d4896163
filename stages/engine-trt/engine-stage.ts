/**
 * `engine:trt:fp32` and `engine:trt:fp16`: one trtexec build each, keyed by the TensorRT build and GPU the
 * probe found (through the tool fingerprint), the build settings and the ONNX. The timing cache persists
 * per stage and fingerprint, so a rebuild after a model change re-times only the layers that changed.
 */
import { err } from '../../pipeline/result.js';
import { defineStage, lazyRun, type StageDef } from '../../pipeline/stage.js';
import type { BuildSettings, Precision } from '../../trt/build-args.js';
import { latestModel } from '../import/model-ref.js';
import { trtConfig, type TrtConfig } from '../../trt/config.js';
import { trtexecTool } from '../../trt/probe.js';

/** Only what changes the engine enters the key; benchmark settings do not. */
export interface EngineConfig extends BuildSettings {
  precision: Precision;
  trtexec: string;
  docker: TrtConfig['docker'];
  timeout_s: number;
}

function engineConfig(precision: Precision, t: TrtConfig): EngineConfig {
  const fp16Only = precision === 'fp16' ? { bf16: t.bf16, strongly_typed: t.strongly_typed } : { bf16: false, strongly_typed: false };
  return {
    precision,
    trtexec: t.trtexec,
    docker: t.docker,
    timeout_s: t.timeout_s,
    workspace_mib: t.workspace_mib,
    builder_optimization_level: t.builder_optimization_level,
    batch: t.batch,
    ...fp16Only,
  };
}

/** What a skipped stage would have run, for the skip message. */
export function wouldRun(c: EngineConfig): string {
  const flags = c.precision === 'fp16' ? (c.strongly_typed ? ' --stronglyTyped' : c.bf16 ? ' --fp16 --bf16' : ' --fp16') : '';
  return `trtexec --onnx=<model> --saveEngine=model.${c.precision}.engine${flags} [--minShapes/--optShapes/--maxShapes for a dynamic batch]`
    + ` --memPoolSize=workspace:${c.workspace_mib} --builderOptimizationLevel=${c.builder_optimization_level} --timingCacheFile=<timing.cache> --skipInference`;
}

export function engineStage(precision: Precision): StageDef<EngineConfig> {
  const name = `engine:trt:${precision}`;
  const tool = trtexecTool<EngineConfig>();
  return defineStage<EngineConfig>({
    name,
    version: 1,
    description: `TensorRT ${precision.toUpperCase()} engine built by trtexec`,
    config: (root) => engineConfig(precision, trtConfig(root)),
    inputs: {
      model: latestModel,
      ...(precision === 'fp16' ? { fp16model: { stage: 'convert:fp16', output: 'model', optional: true } } : {}),
    },
    outputs: { engine: `model.${precision}.engine`, log: `build.${precision}.log` },
    tools: [{ name: tool.name, probe: async (c, exec) => {
      const found = await tool.probe(c, exec);
      return found.ok ? found : err({ reason: `${found.error.reason} (would have run: ${wouldRun(c)})` });
    } }],
    tags: { precision, engine: 'trt' },
    run: lazyRun(() => import('./build-engine.js')),
  });
}
