/**
 * `engine:trt:fp32` and `engine:trt:fp16`: one trtexec build each, keyed by the TensorRT build and GPU the
 * probe found (through the tool fingerprint), the build settings and the ONNX. The timing cache persists
 * per stage and fingerprint, so a rebuild after a model change re-times only the layers that changed.
 */
import { writeFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { err, ok } from '../../pipeline/result.js';
import { defineStage, type StageDef, type StageFailure } from '../../pipeline/stage.js';
import { buildArgs, type BuildSettings, type Precision } from './build-args.js';
import { classifyFailure } from './classify-failure.js';
import { trtConfig, type TrtConfig } from './config.js';
import { withMounts } from './locate.js';
import { readModelInput } from './model-input.js';
import { parseTrtexecLog, parseVersion, passed, type TrtexecLog } from './parse-log.js';
import { trtexecTool } from './probe.js';

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

/** The build log must come from the TensorRT and GPU the key names; otherwise the cache entry would lie. */
function checkIdentity(log: TrtexecLog, fp: Readonly<Record<string, string>>): string | undefined {
  // The banner gives MAJOR.MINOR.PATCH; the library line may add a fourth (build) component.
  if (log.tensorrtVersion && fp.tensorrt && log.tensorrtVersion.split('.').slice(0, 3).join('.') !== fp.tensorrt) {
    return `trtexec --help reported TensorRT ${fp.tensorrt} but the build ran TensorRT ${log.tensorrtVersion}`;
  }
  if (log.device?.name && fp.gpu && log.device.name !== fp.gpu) {
    return `nvidia-smi reported GPU ${fp.gpu} but trtexec built on ${log.device.name}; make device 0 the GPU you mean (CUDA_VISIBLE_DEVICES)`;
  }
  return undefined;
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
      model: { stage: 'optimize', output: 'model' },
      ...(precision === 'fp16' ? { fp16model: { stage: 'convert:fp16', output: 'model', optional: true } } : {}),
    },
    outputs: { engine: `model.${precision}.engine`, log: `build.${precision}.log` },
    tools: [{ name: tool.name, probe: async (c, exec) => {
      const found = await tool.probe(c, exec);
      return found.ok ? found : err({ reason: `${found.error.reason} (would have run: ${wouldRun(c)})` });
    } }],
    tags: { precision, engine: 'trt' },
    async run(ctx) {
      const fail = (message: string, details?: string[]) => err<StageFailure>({ message: `${name}: ${message}`, ...(details ? { details } : {}) });
      const found = ctx.tools.trtexec;
      if (!found) throw new Error(`Internal error: ${name} ran without a trtexec probe result`);
      const version = parseVersion(found.fingerprint.tensorrt ?? '');
      if (!version) throw new Error(`Internal error: trtexec fingerprint has no TensorRT version: ${JSON.stringify(found.fingerprint)}`);

      const onnx = ctx.config.strongly_typed ? ctx.inputs.fp16model : ctx.inputs.model;
      if (!onnx) return fail('trt.strongly_typed builds the FP16 ONNX from convert:fp16, and that stage produced none; run it or turn trt.strongly_typed off');
      const input = await readModelInput(onnx);
      if (!input.ok) return fail(input.error);

      const engine = ctx.out('engine');
      const timingCache = ctx.persistent('timing.cache');
      const args = buildArgs({ version, precision, settings: ctx.config, onnx, engine, timingCache, input: input.value });
      if (!args.ok) return fail(args.error);

      const command = withMounts(found.command, found.fingerprint.image !== undefined, [dirname(onnx), dirname(engine), dirname(timingCache)]);
      ctx.log.info(`building ${basename(engine)} with TensorRT ${found.fingerprint.tensorrt}`, { command: [...command, ...args.value] });
      const run = await ctx.exec(command[0]!, [...command.slice(1), ...args.value], { timeoutMs: ctx.config.timeout_s * 1000, signal: ctx.signal });
      const text = `${run.stdout}${run.stderr ? `\n==== stderr ====\n${run.stderr}` : ''}`;
      await writeFile(ctx.out('log'), text);

      const log = parseTrtexecLog(run.stdout, run.stderr);
      if (run.exitCode !== 0 || !passed(log)) {
        // Outputs of a failed stage are discarded, so the full log is kept beside the timing cache.
        const kept = ctx.persistent('failed-build.log');
        await writeFile(kept, text);
        const f = classifyFailure(run, `building the ${precision.toUpperCase()} engine from ${basename(onnx)} failed`);
        return fail(f.message, [...(f.details ?? []), `full trtexec output: ${kept}`]);
      }
      const mismatch = checkIdentity(log, found.fingerprint);
      if (mismatch) return fail(`${mismatch}; the engine was not kept`);
      ctx.log.info(`built ${basename(engine)}`, {
        seconds: log.buildSeconds,
        ...(log.engineSizeMiB !== undefined ? { sizeMiB: log.engineSizeMiB } : {}),
        dynamicBatch: input.value.dynamicBatch,
      });
      return ok(undefined);
    },
  });
}
