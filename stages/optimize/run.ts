import { writeFile } from 'node:fs/promises';
import type { InputsConfig } from '../../onnx/inputs/index.js';
import { readModelFile, writeModelFile } from '../../onnx/serde.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import { checkSource } from '../import/check-source.js';
import type { OptimizeConfig } from './config.js';
import { seededFeeds } from './numeric-check.js';
import { optimizeModel } from './optimize-model.js';
import { passesByName } from './passes/index.js';
import { summarize } from './summary.js';

const fail = (message: string, details?: string[], declined?: boolean) =>
  err<StageFailure>({ message: `optimize: ${message}`, ...(details ? { details } : {}), ...(declined ? { declined } : {}) });

export async function run(ctx: StageContext<OptimizeConfig & { inputs?: InputsConfig }>): Promise<Result<void, StageFailure>> {
  const path = ctx.inputs.model as string;
  const decoded = await readModelFile(path);
  if (!decoded.ok) return fail(`cannot read ${decoded.error}`);
  const original = decoded.value;
  // The check runs on the model's own shapes and data (onnx/inputs): the config's input fields, the check data.
  const source = await checkSource(ctx, original);
  if (!source.ok) return fail(source.error);
  const feeds = seededFeeds(original, ctx.config.check.seed, ctx.config.check.batch, source.value);
  if (!feeds.ok) return fail(`the check has no inputs for this model: ${feeds.error}`);
  const optimized = await optimizeModel(original, passesByName(ctx.config.passes), ctx.config, { signal: ctx.signal, feeds: feeds.value });
  if (!optimized.ok) return fail(optimized.error.message, optimized.error.details, optimized.error.declined);
  const { run: passes, check } = optimized.value;
  await writeModelFile(ctx.out('model'), passes.model);
  const summary = summarize(original, passes, { tolerance_rel_l2: ctx.config.tolerance_rel_l2, ...check });
  await writeFile(ctx.out('passes'), `${JSON.stringify(summary, null, 2)}\n`);
  ctx.log.info('optimized', { nodesBefore: summary.nodes.before, nodesAfter: summary.nodes.after, ms: summary.totalMs, relL2: check.worstRelL2 });
  return ok(undefined);
}
