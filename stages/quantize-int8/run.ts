import { writeFile } from 'node:fs/promises';
import type { Model } from '../../onnx/ir.js';
import {
  activationTensors,
  calibrate,
  divisionsToProducts,
  quantizeModel,
  quantizedKeys,
  restoreUntil,
  shortlist,
  upgradeOpset,
  type Fallback,
  type Measure,
  type Range,
  type Sample,
} from '../../onnx/quantize/index.js';
import { hasBodies } from '../../onnx/rewrite/subgraphs.js';
import { encodeModel, readModelFile, writeModelFile } from '../../onnx/serde.js';
import { validateModel } from '../../onnx/validate/index.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import { decline, type Declined, type StageFailure } from '../../pipeline/stage.js';
import { referenceRun, type Outputs } from '../../onnx/numeric-check.js';
import { checkAgainst } from './check.js';
import type { Context } from './index.js';
import { quantizeReport } from './report.js';
import { stageInputs, type Inputs } from './samples.js';

const KEPT = 'the float32 model goes on unquantized';
/** The float model prepared for quantization must match the original this closely (a reciprocal's one rounding). */
const UPGRADE_TOLERANCE = 1e-6;
/** The layers whose own rounding adds most error (sensitivity.ts) that the fallback measures one by one. */
const SHORTLIST = 24;

type Outcome = Promise<Result<void | Declined, StageFailure>>;

export async function run(ctx: Context): Outcome {
  const decoded = await readModelFile(ctx.inputs.model);
  if (!decoded.ok) return fail('bad-input', `cannot read ${decoded.error}`);
  const fp32 = decoded.value;
  const inputs = await stageInputs(ctx, fp32);
  if (!inputs.ok)
    return inputs.error.user ? fail('user-error', inputs.error.message) : decline(inputs.error.message, [KEPT]);
  const up = upgradeOpset(fp32);
  if (!up.ok)
    return decline(`the model cannot be brought to opset 13 for per-channel quantization: ${up.error}`, [KEPT]);
  const reference: Outputs[] = [];
  for (const feeds of inputs.value.check) {
    const ref = await referenceRun(encodeModel(fp32), ok(feeds), fp32);
    if (!ref.ok) return decline(ref.error, [KEPT]);
    reference.push(ref.value.outputs);
  }
  const prepared = divisionsToProducts(up.value.model);
  if (up.value.from < 13 || prepared.rewritten > 0) {
    const same = await checkAgainst(encodeModel(prepared.model), inputs.value.check, reference, 'disabled');
    if (!same.ok || !(same.value.worstRelL2 <= UPGRADE_TOLERANCE))
      return decline(
        `the model prepared for quantization (opset ${up.value.from} → 13, divisions by constants as ` +
          'products) does not match the original',
        [KEPT],
      );
  }
  ctx.signal.throwIfAborted();
  const method =
    ctx.config.method === 'percentile'
      ? { kind: 'percentile' as const, percentile: ctx.config.percentile }
      : { kind: 'minmax' as const };
  const model = prepared.model;
  const ranges = await calibrate(model, activationTensors(model), inputs.value.calibration, method, ctx.signal);
  if (!ranges.ok) return decline(`calibration failed: ${ranges.error}`, [KEPT]);
  return quantizeWithinBudget(ctx, {
    model,
    fromOpset: up.value.from,
    ranges: ranges.value,
    inputs: inputs.value,
    reference,
  });
}

interface Calibrated {
  model: Model;
  fromOpset: number;
  ranges: ReadonlyMap<string, Range>;
  inputs: Inputs;
  reference: Outputs[];
}

async function quantizeWithinBudget(ctx: Context, c: Calibrated): Outcome {
  const base = new Set(ctx.config.keep_float);
  const options = (keep: ReadonlySet<string>) => ({
    activations: ctx.config.activations,
    keepFloat: new Set([...base, ...keep]),
  });
  const measure = async (keep: ReadonlySet<string>): Promise<number | string> => {
    ctx.signal.throwIfAborted();
    const q = quantizeModel(c.model, c.ranges, options(keep));
    if (!q.ok) return q.error;
    const r = await checkAgainst(encodeModel(q.value.model), c.inputs.check, c.reference);
    return r.ok ? r.value.worstRelL2 : r.error;
  };
  const start = await measure(new Set());
  if (typeof start === 'string') return fail('check-failed', `the quantized model does not run: ${start}`);
  const tolerance = ctx.config.tolerance;
  let fallback: Fallback = { steps: [], error: start, holds: start <= tolerance, evaluations: 1 };
  if (!fallback.holds && ctx.config.max_float_layers > 0) {
    const searched = await searchFallback(ctx, c, start, measure);
    if (!searched.ok) return searched;
    fallback = searched.value;
  }
  if (!fallback.holds)
    return decline(
      `the int8 model differs from the float32 one by relative L2 ${fallback.error.toExponential(2)} > ` +
        `quantize.tolerance ${tolerance} even with ${fallback.steps.length} layers kept float`,
      [
        KEPT,
        'calibrate on more representative data (quantize.calibration), try quantize.method: percentile, ' +
          'or raise quantize.tolerance',
      ],
    );
  return write(ctx, c, fallback, new Set(fallback.steps.map((s) => s.node)));
}

/**
 * The layers to put back in float: first among the shortlist of layers whose own rounding adds most error; when
 * that cannot hold the budget (an early layer's error grows downstream, which its local error does not show),
 * among every quantized layer, each measured on the whole model.
 */
async function searchFallback(
  ctx: Context,
  c: Calibrated,
  start: number,
  measure: Measure,
): Promise<Result<Fallback, StageFailure>> {
  const all = quantizeModel(c.model, c.ranges, {
    activations: ctx.config.activations,
    keepFloat: new Set(ctx.config.keep_float),
  });
  if (!all.ok) return fail('check-failed', all.error);
  const short = await shortlist(c.model, all.value, c.inputs.check[0] as Sample, SHORTLIST);
  if (!short.ok) return fail('check-failed', `the per-layer errors could not be measured: ${short.error}`);
  const { tolerance, max_float_layers: most } = ctx.config;
  ctx.log.info('over the tolerance: measuring the sensitivity of the layers that add most error', {
    relL2: start,
    candidates: short.value.length,
  });
  const first = await restoreUntil(short.value, start, tolerance, most, measure);
  const every = quantizedKeys(c.model, all.value.placement);
  if (first.holds || every.length <= short.value.length) return ok(first);
  ctx.log.info('the shortlist cannot hold the tolerance: measuring every quantized layer', {
    candidates: every.length,
  });
  const second = await restoreUntil(every, start, tolerance, most, measure);
  return ok({ ...second, evaluations: first.evaluations + second.evaluations });
}

async function write(ctx: Context, c: Calibrated, fallback: Fallback, kept: ReadonlySet<string>): Outcome {
  const q = quantizeModel(c.model, c.ranges, {
    activations: ctx.config.activations,
    keepFloat: new Set([...ctx.config.keep_float, ...kept]),
  });
  if (!q.ok) return fail('check-failed', q.error);
  if (q.value.stats.weights === 0)
    return decline(
      kept.size > 0
        ? `no layer with weights stays int8: the budget held only with every one back in float (${kept.size} kept)`
        : 'the model has no Conv, ConvTranspose, Gemm or MatMul with a constant weight in its main graph to quantize' +
            (c.model.graph.nodes.some(hasBodies) ? ' (its work sits in If/Loop/Scan bodies, which stay float)' : ''),
      [KEPT],
    );
  const validation = validateModel(q.value.model);
  if (!validation.ok)
    return fail(
      'check-failed',
      'the quantized model does not pass the validator',
      validation.errors.slice(0, 5).map((i) => `${i.node ?? ''}: ${i.message}`),
    );
  const bytes = encodeModel(q.value.model);
  const final = await checkAgainst(bytes, c.inputs.check, c.reference);
  if (!final.ok) return fail('check-failed', `the quantized model does not run: ${final.error}`);
  await writeModelFile(ctx.out('model'), q.value.model);
  const report = quantizeReport(ctx.config, c, q.value.stats, fallback, final.value);
  await writeFile(ctx.out('report'), `${JSON.stringify(report, null, 2)}\n`);
  if (c.inputs.source === 'seeded noise')
    ctx.log.warn(
      'calibrated on seeded noise: the built-in MobileNetV2 has random weights, so its accuracy proves nothing',
    );
  ctx.log.info('quantized to int8', {
    relL2: final.value.worstRelL2,
    nodes: q.value.stats.quantizedNodes,
    keptFloat: kept.size,
  });
  return ok(undefined);
}

export type { Calibrated };
