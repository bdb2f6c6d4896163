/**
 * One trtexec build: the engine and its log, or one failure message with trtexec's own error lines. The
 * full output of a failed build is kept beside the timing cache, since a failed stage's outputs are not.
 */
import { basename, dirname } from 'node:path';
import { formatMs } from '../../pipeline/log/log.js';
import { fail } from '../../pipeline/reason.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import { buildArgs } from '../../trt/build-args.js';
import type { EngineConfig } from './engine-stage.js';
import { readTrtInputs } from '../../trt/model-input.js';
import { parseVersion, type TrtexecLog } from '../../trt/parse-log.js';
import { runTrtexec } from '../../trt/trtexec.js';

declare module '../../pipeline/reason.js' {
  /** The build ran on another TensorRT or GPU than the probe keyed. */
  interface StageReasons {
    'trt-identity-mismatch': true;
  }
}

/** The build log must come from the TensorRT and GPU the key names; otherwise the cache entry would lie. */
function checkIdentity(log: TrtexecLog, fp: Readonly<Record<string, string>>): string | undefined {
  // The banner gives MAJOR.MINOR.PATCH; the library line may add a fourth (build) component.
  if (log.tensorrtVersion && fp.tensorrt && log.tensorrtVersion.split('.').slice(0, 3).join('.') !== fp.tensorrt) {
    return `trtexec --help reported TensorRT ${fp.tensorrt} but the build ran TensorRT ${log.tensorrtVersion}`;
  }
  if (log.device?.name && fp.gpu && log.device.name !== fp.gpu) {
    return (
      `nvidia-smi reported GPU ${fp.gpu} but trtexec built on ${log.device.name}; ` +
      'make device 0 the GPU you mean (CUDA_VISIBLE_DEVICES)'
    );
  }
  return undefined;
}

export async function run(ctx: StageContext<EngineConfig>): Promise<Result<void, StageFailure>> {
  const precision = ctx.config.precision;
  const name = `engine:trt:${precision}`;
  const found = ctx.tools.trtexec;
  if (!found) throw new Error(`Internal error: ${name} ran without a trtexec probe result`);
  const version = parseVersion(found.fingerprint.tensorrt ?? '');
  if (!version)
    throw new Error(
      `Internal error: trtexec fingerprint has no TensorRT version: ${JSON.stringify(found.fingerprint)}`,
    );

  const onnx = ctx.config.strongly_typed ? ctx.inputs.fp16model : ctx.inputs.model;
  if (!onnx)
    return fail(
      'upstream-skipped',
      'trt.strongly_typed builds the FP16 ONNX from convert:fp16, and that stage produced none; ' +
        'run it or turn trt.strongly_typed off',
    );
  const inputs = await readTrtInputs(onnx, ctx.config.model);
  if (!inputs.ok) return fail('bad-input', inputs.error);

  const engine = ctx.out('engine');
  const timingCache = ctx.persistent('timing.cache');
  const args = buildArgs({ version, precision, settings: ctx.config, onnx, engine, timingCache, inputs: inputs.value });
  if (!args.ok) return fail('bad-input', args.error);

  const started = performance.now();
  const built = await runTrtexec({
    tool: found,
    args: args.value,
    mounts: [dirname(onnx), dirname(engine), dirname(timingCache)],
    what: `building the ${precision.toUpperCase()} engine from ${basename(onnx)} failed`,
    exec: ctx.exec,
    signal: ctx.signal,
    timeoutMs: ctx.config.timeout_s * 1000,
    logPath: ctx.out('log'),
    keepFailedAt: ctx.persistent('failed-build.log'),
    starting: (command) =>
      ctx.log.info(
        `building ${basename(engine)} with TensorRT ${found.fingerprint.tensorrt} (trtexec builds take minutes)…`,
        { command },
      ),
  });
  if (!built.ok) return built;
  const log = built.value;
  const mismatch = checkIdentity(log, found.fingerprint);
  if (mismatch) return fail('trt-identity-mismatch', `${mismatch}; the engine was not kept`);
  ctx.log.info(`built ${basename(engine)} in ${formatMs(performance.now() - started)}`, {
    seconds: log.buildSeconds,
    ...(log.engineSizeMiB !== undefined ? { sizeMiB: log.engineSizeMiB } : {}),
    batched: inputs.value.batched,
  });
  return ok(undefined);
}
