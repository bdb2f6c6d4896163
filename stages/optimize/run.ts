import { readFile, writeFile } from 'node:fs/promises';
import { decodeModel, writeModelFile } from '../../onnx/serde.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import type { OptimizeConfig } from './config.js';
import { optimizeModel } from './optimize-model.js';
import { passesByName } from './passes/index.js';
import { summarize } from './summary.js';

const fail = (message: string, details?: string[], declined?: boolean) =>
  err<StageFailure>({ message: `optimize: ${message}`, ...(details ? { details } : {}), ...(declined ? { declined } : {}) });

export async function run(ctx: StageContext<OptimizeConfig>): Promise<Result<void, StageFailure>> {
  const path = ctx.inputs.model as string;
  const decoded = decodeModel(await readFile(path));
  if (!decoded.ok) return fail(`cannot read ${path}: ${decoded.error}`);
  const original = decoded.value;
  const optimized = await optimizeModel(original, passesByName(ctx.config.passes), ctx.config, { signal: ctx.signal });
  if (!optimized.ok) return fail(optimized.error.message, optimized.error.details, optimized.error.declined);
  const { run: passes, check } = optimized.value;
  await writeModelFile(ctx.out('model'), passes.model);
  const summary = summarize(original, passes, { tolerance_rel_l2: ctx.config.tolerance_rel_l2, ...check });
  await writeFile(ctx.out('passes'), `${JSON.stringify(summary, null, 2)}\n`);
  ctx.log.info('optimized', { nodesBefore: summary.nodes.before, nodesAfter: summary.nodes.after, ms: summary.totalMs, relL2: check.worstRelL2 });
  return ok(undefined);
}
