import { writeFile } from 'node:fs/promises';
import type { InputsConfig } from '../../onnx/inputs/index.js';
import type { Model } from '../../onnx/ir.js';
import { encodeModel, readModelFile, writeModelFile } from '../../onnx/serde.js';
import { validateModel } from '../../onnx/validate/index.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/reason.js';
import { decline, type Declined, type StageContext, type StageFailure } from '../../pipeline/stage.js';
import { checkSource } from '../../source/check-source.js';
import {
  compareOutputs,
  referenceRun,
  runDisabled,
  seededFeeds,
  withinTolerance,
  type Comparison,
  type Feeds,
  type Outputs,
} from '../../onnx/numeric-check.js';
import type { Fp16Config } from './config.js';
import { convertBodies, nothingConverted, type BodyCheck } from './bodies.js';
import { convertFloat16, type Fp16Options, type Fp16Report } from './convert.js';

/** Every clamped constant by name, for a message: the user learns them whether the check passes or not. */
const clampedLines = (clamped: Record<string, number>): string[] =>
  Object.entries(clamped).map(([name, n]) => `clamped to ±65504: '${name}' (${n} value${n === 1 ? '' : 's'})`);

const UNCONVERTED = 'the float32 model goes on unconverted';

type Context = StageContext<Fp16Config & { inputs?: InputsConfig }>;
type Reference = { feeds: Feeds; outputs: Outputs };

export async function run(ctx: Context): Promise<Result<void | Declined, StageFailure>> {
  const decoded = await readModelFile(ctx.inputs.model as string);
  if (!decoded.ok) return fail('bad-input', `cannot read ${decoded.error}`);
  const fp32 = decoded.value;
  const options = { keepFp32: ctx.config.keep_fp32, keepIoFp32: ctx.config.keep_io_fp32 };
  const converted = convertFloat16(fp32, options);
  if (!converted.ok)
    return decline(converted.error, [`${UNCONVERTED}; add the operator to fp16.keep_fp32 to leave it in float32`]);
  const { model, report } = converted.value;
  const validation = validateModel(model);
  if (!validation.ok)
    return fail(
      'check-failed',
      'the converted model does not pass the validator',
      validation.errors.slice(0, 10).map((i) => `${i.node ?? ''} ${i.field ?? ''}: ${i.message}`),
    );
  // The check compares float32 outputs, so with float16 I/O it measures the same conversion with float32 I/O.
  const twin = ctx.config.keep_io_fp32 ? model : ioFp32Twin(fp32, options);
  const source = await checkSource(ctx, fp32);
  if (!source.ok) return fail('bad-input', source.error);
  const feeds = seededFeeds(fp32, ctx.config.check.seed, ctx.config.check.batch, source.value);
  const ref = await referenceRun(encodeModel(fp32), feeds, fp32);
  const clamped = clampedLines(report.clamped);
  if (!ref.ok) return decline(ref.error, [UNCONVERTED, ...clamped]);
  ctx.signal.throwIfAborted();
  const check = await checkFloat16(twin, ref.value, ctx.config.tolerance_rel_l2, clamped);
  if (!check.ok) return check;
  const models = ctx.config.keep_io_fp32 ? [model] : [model, twin];
  return convertBodiesAndWrite(ctx, { fp32, models, report, ref: ref.value, check: check.value });
}

function ioFp32Twin(fp32: Model, options: Fp16Options): Model {
  const twin = convertFloat16(fp32, { ...options, keepIoFp32: true });
  if (!twin.ok) throw new Error(`Internal error: the float32-I/O twin failed to convert: ${twin.error}`);
  return twin.value.model;
}

/** The float16 model (float32 I/O) against the float32 reference, within the tolerance. */
async function checkFloat16(
  twin: Model,
  ref: Reference,
  tolerance: number,
  clamped: string[],
): Promise<Result<Comparison, StageFailure>> {
  const got = await runDisabled(encodeModel(twin), ref.feeds);
  if (!got.ok) {
    const what = `onnxruntime-node runs the float32 model on the check's inputs but not the float16 one (${got.error})`;
    return fail('check-failed', what, clamped);
  }
  const check = compareOutputs(got.value, ref.outputs);
  if (withinTolerance(check, tolerance)) return ok(check);
  return fail(
    'check-failed',
    `the float16 model differs from the float32 one: relative L2 ${check.worstRelL2.toExponential(2)} > ${tolerance}`,
    [
      'keep more operators in float32 (fp16.keep_fp32), or raise fp16.tolerance_rel_l2 if the difference is acceptable',
      ...clamped,
    ],
  );
}

interface Checked {
  fp32: Model;
  /** The converted model, and its float32-I/O twin when I/O is float16: the bodies are converted in each. */
  models: Model[];
  report: Fp16Report;
  ref: Reference;
  check: Comparison;
}

/** The bodies converted one at a time, then the model and fp16.json written; declined when nothing converted. */
async function convertBodiesAndWrite(
  ctx: Context,
  { fp32, models, report, ref, check }: Checked,
): Promise<Result<void | Declined, StageFailure>> {
  const tolerance = ctx.config.tolerance_rel_l2;
  const measure: BodyCheck = async (m) => {
    ctx.signal.throwIfAborted();
    const r = await runDisabled(encodeModel(m), ref.feeds);
    return r.ok ? compareOutputs(r.value, ref.outputs).worstRelL2 : `onnxruntime-node cannot run it (${r.error})`;
  };
  const options = { keepFp32: ctx.config.keep_fp32, keepIoFp32: ctx.config.keep_io_fp32 };
  const withBodies = await convertBodies(fp32, models, options, measure, tolerance);
  const none = nothingConverted(report, withBodies.outcomes);
  if (none) {
    const why = withBodies.outcomes.map((o) => `${o.node}.${o.attribute}: ${o.why ?? 'kept float32'}`);
    return decline(none, [UNCONVERTED, ...why]);
  }
  const finalCheck = withBodies.outcomes.some((o) => o.converted) ? await recheck(withBodies.models, ref) : check;
  for (const [name, n] of Object.entries(report.clamped))
    ctx.log.warn('clamped to the float16 range', { initializer: name, values: n });
  await writeModelFile(ctx.out('model'), withBodies.models[0] as Model);
  const json = { ...report, subgraphs: withBodies.outcomes, check: { tolerance_rel_l2: tolerance, ...finalCheck } };
  await writeFile(ctx.out('report'), `${JSON.stringify(json, null, 2)}\n`);
  ctx.log.info('converted to float16', {
    relL2: finalCheck.worstRelL2,
    casts: report.castsInserted,
    bytes: report.bytes,
    bodies: withBodies.outcomes.filter((o) => o.converted).length,
  });
  return ok(undefined);
}

/** The comparison of the final models (the last one is what the check measures) with the float32 reference. */
async function recheck(models: readonly Model[], ref: Reference): Promise<Comparison> {
  const got = await runDisabled(encodeModel(models[models.length - 1] as Model), ref.feeds);
  if (!got.ok) throw new Error(`Internal error: a model that passed its check does not run again: ${got.error}`);
  return compareOutputs(got.value, ref.outputs);
}
