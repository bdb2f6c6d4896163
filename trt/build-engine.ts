/**
 * One trtexec build: the engine and its log, or one failure message with trtexec's own error lines. The
 * full output of a failed build is kept beside the timing cache, since a failed stage's outputs are not.
 */
import { basename, dirname } from 'node:path';
import { formatMs } from '../pipeline/log/log.js';
import { fail } from '../pipeline/cause.js';
import { ok, type Result } from '../pipeline/result.js';
import { decline, type Declined, type StageFailure, type ToolFound } from '../pipeline/stage.js';
import { buildArgs, buildPlan, type BuildRequest, type BuildSource } from './build-args.js';
import type { Context } from './engine-stage.js';
import { readTrtInputs, type TrtInputs } from './model-input.js';
import { unsignedQuantized } from './qdq-signed.js';
import { readModelFile } from '../onnx/serde.js';
import { formatVersion, parseVersion, type TrtexecLog, type TrtVersion } from './parse-log.js';
import { runTrtexec } from './trtexec.js';

declare module '../pipeline/cause.js' {
  /** The build ran on another TensorRT or GPU than the probe keyed. */
  interface StageCauses {
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

/**
 * The ONNX this build needs was not made. On TensorRT 11 an FP16 engine exists only as convert:fp16's model,
 * so one that declined leaves no FP16 engine (skipped with why, as the conversion was); under trt.strongly_typed
 * on 10 the user asked for that model, so its absence is a failure. INT8's Q/DQ model is a required input: the
 * runner skips this stage before it runs without one.
 */
function missingSource(source: BuildSource, version: TrtVersion): Result<Declined, StageFailure> {
  if (source === 'fp16model' && version.major >= 11)
    return decline(
      `TensorRT ${formatVersion(version)} builds FP16 only from convert:fp16's model (11.x has no --fp16), ` +
        'and that stage produced none',
    );
  if (source === 'fp16model')
    return fail(
      'upstream-skipped',
      'trt.strongly_typed builds the FP16 ONNX from convert:fp16, and that stage produced none; ' +
        'run it or turn trt.strongly_typed off',
    );
  throw new Error(`Internal error: the ${source} input of a TensorRT build is missing`);
}

/** A Q/DQ model with uint8 activations declines: TensorRT would refuse it, and onnxruntime is served by it. */
async function unsignedOf(onnx: string): Promise<Result<Declined, StageFailure> | undefined> {
  const model = await readModelFile(onnx);
  if (!model.ok) return fail('bad-input', model.error);
  const unsigned = unsignedQuantized(model.value);
  if (unsigned.length === 0) return undefined;
  return decline(
    `TensorRT takes signed int8 Q/DQ only, and ${unsigned.length} activations of quantize:int8's model are ` +
      `uint8 (e.g. ${unsigned[0]}): set quantize.activations: int8 to build an INT8 engine`,
  );
}

export async function run(ctx: Context): Promise<Result<void | Declined, StageFailure>> {
  const precision = ctx.config.precision;
  const name = `engine:trt:${precision}`;
  const found = ctx.tools.trtexec;
  if (!found) throw new Error(`Internal error: ${name} ran without a trtexec probe result`);
  const version = parseVersion(found.fingerprint.tensorrt ?? '');
  if (!version)
    throw new Error(
      `Internal error: trtexec fingerprint has no TensorRT version: ${JSON.stringify(found.fingerprint)}`,
    );

  const plan = buildPlan({ version, precision, settings: ctx.config });
  if (!plan.ok) return fail('bad-input', plan.error);
  const onnx = ctx.inputs[plan.value.source];
  if (!onnx) return missingSource(plan.value.source, version);
  const inputs = await readTrtInputs(onnx, ctx.config.model);
  if (!inputs.ok) return fail('bad-input', inputs.error);
  if (precision === 'int8') {
    const unsigned = await unsignedOf(onnx);
    if (unsigned) return unsigned;
  }
  return build(ctx, found, { version, precision, settings: ctx.config, onnx, inputs: inputs.value });
}

/** trtexec builds the engine, with the stage's persistent timing cache; the log must name the probed TensorRT. */
async function build(
  ctx: Context,
  found: ToolFound,
  a: Omit<BuildRequest, 'engine' | 'timingCache'> & { inputs: TrtInputs },
): Promise<Result<void, StageFailure>> {
  const engine = ctx.out('engine');
  const timingCache = ctx.persistent('timing.cache');
  const args = buildArgs({ ...a, engine, timingCache });
  if (!args.ok) return fail('bad-input', args.error);
  const started = performance.now();
  const built = await runTrtexec({
    tool: found,
    args: args.value,
    mounts: [dirname(a.onnx), dirname(engine), dirname(timingCache)],
    what: `building the ${a.precision.toUpperCase()} engine from ${basename(a.onnx)} failed`,
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
    batched: a.inputs.batched,
  });
  return ok(undefined);
}
