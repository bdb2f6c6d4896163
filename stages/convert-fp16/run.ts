import { writeFile } from 'node:fs/promises';
import type { InputsConfig } from '../../onnx/inputs/index.js';
import type { Model } from '../../onnx/ir.js';
import { encodeModel, readModelFile, writeModelFile } from '../../onnx/serde.js';
import { validateModel } from '../../onnx/validate/index.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/reason.js';
import { decline, type Declined, type StageContext, type StageFailure } from '../../pipeline/stage.js';
import { checkSource } from '../import/check-source.js';
import {
  compareOutputs,
  referenceRun,
  runDisabled,
  seededFeeds,
  withinTolerance,
  type Comparison,
  type Feeds,
  type Outputs,
} from '../optimize/numeric-check.js';
import type { Fp16Config } from './config.js';
import { convertBodies, nothingConverted, type BodyCheck } from './bodies.js';
import { convertFloat16 } from './convert.js';

/** Every clamped constant by name, for a message: the user learns them whether the check passes or not. */
const clampedLines = (clamped: Record<string, number>): string[] =>
  Object.entries(clamped).map(([name, n]) => `clamped to ±65504: '${name}' (${n} value${n === 1 ? '' : 's'})`);

export async function run(
  ctx: StageContext<Fp16Config & { inputs?: InputsConfig }>,
): Promise<Result<void | Declined, StageFailure>> {
  const path = ctx.inputs.model as string;
  const decoded = await readModelFile(path);
  if (!decoded.ok) return fail('bad-input', `cannot read ${decoded.error}`);
  const fp32 = decoded.value;
  const options = { keepFp32: ctx.config.keep_fp32, keepIoFp32: ctx.config.keep_io_fp32 };
  const converted = convertFloat16(fp32, options);
  if (!converted.ok) {
    const what = 'the float32 model goes on unconverted; add the operator to fp16.keep_fp32 to leave it in float32';
    return decline(converted.error, [what]);
  }
  const { model, report } = converted.value;
  const validation = validateModel(model);
  if (!validation.ok)
    return fail(
      'check-failed',
      'the converted model does not pass the validator',
      validation.errors.slice(0, 10).map((i) => `${i.node ?? ''} ${i.field ?? ''}: ${i.message}`),
    );

  const twin = ctx.config.keep_io_fp32
    ? converted
    : convertFloat16(fp32, { keepFp32: ctx.config.keep_fp32, keepIoFp32: true });
  if (!twin.ok) throw new Error(`Internal error: the float32-I/O twin failed to convert: ${twin.error}`);
  const source = await checkSource(ctx, fp32);
  if (!source.ok) return fail('bad-input', source.error);
  const feeds = seededFeeds(fp32, ctx.config.check.seed, ctx.config.check.batch, source.value);
  const ref = await referenceRun(encodeModel(fp32), feeds, fp32);
  const clamped = clampedLines(report.clamped);
  if (!ref.ok) return decline(ref.error, ['the float32 model goes on unconverted', ...clamped]);
  ctx.signal.throwIfAborted();
  const got = await runDisabled(encodeModel(twin.value.model), ref.value.feeds);
  if (!got.ok) {
    const what = `onnxruntime-node runs the float32 model on the check's inputs but not the float16 one (${got.error})`;
    return fail('check-failed', what, clamped);
  }
  const check = compareOutputs(got.value, ref.value.outputs);
  if (!withinTolerance(check, ctx.config.tolerance_rel_l2)) {
    return fail(
      'check-failed',
      `the float16 model differs from the float32 one: relative L2 ${check.worstRelL2.toExponential(2)} > ${ctx.config.tolerance_rel_l2}`,
      [
        'keep more operators in float32 (fp16.keep_fp32), or raise fp16.tolerance_rel_l2 if the difference is acceptable',
        ...clamped,
      ],
    );
  }
  const measure: BodyCheck = async (m) => {
    ctx.signal.throwIfAborted();
    const r = await runDisabled(encodeModel(m), ref.value.feeds);
    return r.ok ? compareOutputs(r.value, ref.value.outputs).worstRelL2 : `onnxruntime-node cannot run it (${r.error})`;
  };
  const models = ctx.config.keep_io_fp32 ? [model] : [model, twin.value.model];
  const withBodies = await convertBodies(fp32, models, options, measure, ctx.config.tolerance_rel_l2);
  const none = nothingConverted(report, withBodies.outcomes);
  if (none) {
    const why = withBodies.outcomes.map((o) => `${o.node}.${o.attribute}: ${o.why ?? 'kept float32'}`);
    return decline(none, ['the float32 model goes on unconverted', ...why]);
  }
  const final = withBodies.models[0] as Model;
  const finalCheck = withBodies.outcomes.some((o) => o.converted) ? await recheck(withBodies.models, ref.value) : check;
  for (const [name, n] of Object.entries(report.clamped))
    ctx.log.warn('clamped to the float16 range', { initializer: name, values: n });
  await writeModelFile(ctx.out('model'), final);
  const checked = { tolerance_rel_l2: ctx.config.tolerance_rel_l2, ...finalCheck };
  const json = { ...report, subgraphs: withBodies.outcomes, check: checked };
  await writeFile(ctx.out('report'), `${JSON.stringify(json, null, 2)}\n`);
  const converted16 = withBodies.outcomes.filter((o) => o.converted).length;
  ctx.log.info('converted to float16', {
    relL2: finalCheck.worstRelL2,
    casts: report.castsInserted,
    bytes: report.bytes,
    bodies: converted16,
  });
  return ok(undefined);
}

/** The comparison of the final models (the last one is what the check measures) with the float32 reference. */
async function recheck(models: readonly Model[], ref: { feeds: Feeds; outputs: Outputs }): Promise<Comparison> {
  const got = await runDisabled(encodeModel(models[models.length - 1] as Model), ref.feeds);
  if (!got.ok) throw new Error(`Internal error: a model that passed its check does not run again: ${got.error}`);
  return compareOutputs(got.value, ref.outputs);
}
