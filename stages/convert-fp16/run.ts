import { writeFile } from 'node:fs/promises';
import type { Model } from '../../onnx/ir.js';
import { cloneModel } from '../../onnx/rewrite/clone.js';
import { sortModel } from '../../onnx/rewrite/topo-sort.js';
import { encodeModel, readModelFile, writeModelFile } from '../../onnx/serde.js';
import { validateModel } from '../../onnx/validate/index.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import { decline, type Declined, type StageFailure } from '../../pipeline/stage.js';
import { checkSource } from '../../source/check-source.js';
import {
  compareOutputs,
  failingOutput,
  referenceRun,
  runDisabled,
  seededFeeds,
  withinTolerance,
  type Comparison,
  type Feeds,
  type Outputs,
} from '../../onnx/numeric-check.js';
import type { Context } from './index.js';
import { halveBodyWeights } from './body-weights.js';
import { convertBodies, nothingConverted, type BodyCheck } from './bodies.js';
import { convertFloat16, type Fp16Options, type Fp16Report } from './convert.js';

/** Every clamped constant by name, for a message: the user learns them whether the check passes or not. */
const clampedLines = (clamped: Record<string, number>): string[] =>
  Object.entries(clamped).map(([name, n]) => `clamped to ±65504: '${name}' (${n} value${n === 1 ? '' : 's'})`);

const UNCONVERTED = 'the float32 model goes on unconverted';

type Reference = { feeds: Feeds; outputs: Outputs };

export async function run(ctx: Context): Promise<Result<void | Declined, StageFailure>> {
  const decoded = await readModelFile(ctx.inputs.model);
  if (!decoded.ok) return fail('bad-input', `cannot read ${decoded.error}`);
  const fp32 = decoded.value;
  // The source itself when optimize declined, which may be unsorted (validate said so): conversion walks in order.
  sortModel(fp32);
  const options = { keepFp32: ctx.config.keep_fp32, keepIoFp32: ctx.config.keep_io_fp32 };
  const converted = convertFloat16(fp32, options);
  if (!converted.ok) return decline(converted.error, [UNCONVERTED]);
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
  const check = await checkFloat16(twin, ref.value, ctx.config.tolerance_rel_l2);
  if (!check.ok) return decline(check.error, [UNCONVERTED, ...clamped]);
  const models = ctx.config.keep_io_fp32 ? [model] : [model, twin];
  return convertBodiesAndWrite(ctx, { fp32, models, report, ref: ref.value, check: check.value });
}

function ioFp32Twin(fp32: Model, options: Fp16Options): Model {
  const twin = convertFloat16(fp32, { ...options, keepIoFp32: true });
  if (!twin.ok) throw new Error(`Internal error: the float32-I/O twin failed to convert: ${twin.error}`);
  return twin.value.model;
}

/**
 * The float16 model (float32 I/O) against the float32 reference, within the tolerance; else why not. Either
 * way round it is a fact about float16 on this model, not a fault: the stage declines and float32 goes on.
 */
async function checkFloat16(twin: Model, ref: Reference, tolerance: number): Promise<Result<Comparison, string>> {
  const got = await runDisabled(encodeModel(twin), ref.feeds);
  if (!got.ok)
    return err(`onnxruntime-node runs the float32 model on the check's inputs but not the float16 one (${got.error})`);
  const check = compareOutputs(got.value, ref.outputs);
  if (withinTolerance(check, tolerance)) return ok(check);
  const hint =
    'keep more operators in float32 (fp16.keep_fp32), or raise fp16.tolerance_rel_l2 if the difference is acceptable';
  return err(`the float16 model differs from the float32 one: ${failingOutput(check, tolerance)}; ${hint}`);
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
    return r.ok ? compareOutputs(r.value, ref.outputs) : `onnxruntime-node cannot run it (${r.error})`;
  };
  const options = { keepFp32: ctx.config.keep_fp32, keepIoFp32: ctx.config.keep_io_fp32 };
  const withBodies = await convertBodies(fp32, models, options, measure, tolerance);
  const none = nothingConverted(report, withBodies.outcomes);
  if (none) {
    const why = withBodies.outcomes.map((o) => `${o.node}.${o.attribute}: ${o.why ?? 'kept float32'}`);
    return decline(none, [UNCONVERTED, ...why]);
  }
  const final = withBodies.outcomes.some((o) => o.converted)
    ? await halvedWeights(withBodies.models, report, measure, tolerance)
    : { models: withBodies.models, report, check };
  for (const [name, n] of Object.entries(final.report.clamped))
    ctx.log.warn('clamped to the float16 range', { initializer: name, values: n });
  await writeModelFile(ctx.out('model'), final.models[0] as Model);
  const checked = { tolerance_rel_l2: tolerance, ...final.check };
  const json = { ...final.report, subgraphs: withBodies.outcomes, check: checked };
  await writeFile(ctx.out('report'), `${JSON.stringify(json, null, 2)}\n`);
  ctx.log.info('converted to float16', {
    relL2: final.check.worstRelL2,
    casts: final.report.castsInserted,
    bytes: final.report.bytes,
    bodies: withBodies.outcomes.filter((o) => o.converted).length,
  });
  return ok(undefined);
}

/**
 * The models with the weights that only converted bodies read stored float16 (body-weights.ts), when they still
 * pass the check; else as they were. The report counts the written model's weights (the first).
 */
async function halvedWeights(
  models: readonly Model[],
  report: Fp16Report,
  measure: BodyCheck,
  tolerance: number,
): Promise<{ models: Model[]; report: Fp16Report; check: Comparison }> {
  const trial = structuredClone(report);
  const halved = models.map((m, i) => {
    const copy = cloneModel(m);
    halveBodyWeights(copy, i === 0 ? trial : structuredClone(report));
    return copy;
  });
  const c = await measure(halved[halved.length - 1] as Model);
  if (typeof c !== 'string' && withinTolerance(c, tolerance)) return { models: halved, report: trial, check: c };
  const before = await measure(models[models.length - 1] as Model);
  if (typeof before === 'string')
    throw new Error(`Internal error: a model that passed its check does not run again: ${before}`);
  return { models: [...models], report, check: before };
}
