import { writeFile } from 'node:fs/promises';
import type { InputsConfig } from '../../onnx/inputs/index.js';
import { readModelFile, writeModelFile } from '../../onnx/serde.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { decline, type Declined, type StageContext, type StageFailure } from '../../pipeline/stage.js';
import { checkSource } from '../import/check-source.js';
import type { OptimizeConfig } from './config.js';
import { optimizeModel } from './optimize-model.js';
import { passesByName } from './passes/index.js';
import { summarize } from './summary.js';

const fail = (message: string, details?: string[]) => err<StageFailure>({ message: `optimize: ${message}`, ...(details ? { details } : {}) });

export async function run(ctx: StageContext<OptimizeConfig & { inputs?: InputsConfig }>): Promise<Result<void | Declined, StageFailure>> {
  const path = ctx.inputs.model as string;
  const decoded = await readModelFile(path);
  if (!decoded.ok) return fail(`cannot read ${decoded.error}`);
  const original = decoded.value;
  const source = await checkSource(ctx, original);
  if (!source.ok) return fail(source.error);
  const optimized = await optimizeModel(original, passesByName(ctx.config.passes), { ...ctx.config, source: source.value });
  // Unproven, the optimized model is not used: the stages after take the model this one was given.
  if (!optimized.ok) return decline(`optimize declined: ${optimized.error.message}`, optimized.error.details);
  const { run: passes, check } = optimized.value;
  await writeModelFile(ctx.out('model'), passes.model);
  const summary = summarize(original, passes, { tolerance_rel_l2: ctx.config.tolerance_rel_l2, ...check });
  await writeFile(ctx.out('passes'), `${JSON.stringify(summary, null, 2)}\n`);
  ctx.log.info('optimized', { nodesBefore: summary.nodes.before, nodesAfter: summary.nodes.after, ms: summary.totalMs, relL2: check.worstRelL2 });
  return ok(undefined);
}
