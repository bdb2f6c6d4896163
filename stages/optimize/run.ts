import { readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { internalize } from '../../onnx/external-data.js';
import { sortModel } from '../../onnx/rewrite/topo-sort.js';
import { decodeModel, writeModelFile } from '../../onnx/serde.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import { decline, type Declined, type StageFailure } from '../../pipeline/stage.js';
import { checkSource } from '../../source/check-source.js';
import type { Context } from './index.js';
import { describeExpected, expectedOutputs } from './expected.js';
import { seededFeeds } from '../../onnx/numeric-check.js';
import { optimizeModel } from './optimize-model.js';
import { passesByName } from './passes/index.js';
import { summarize } from './summary.js';

export async function run(ctx: Context): Promise<Result<void | Declined, StageFailure>> {
  const path = ctx.inputs.model;
  const bytes = await readFile(path);
  const decoded = decodeModel(bytes);
  if (!decoded.ok) return fail('bad-input', `cannot read ${path}: ${decoded.error}`);
  // External data (an imported model's companions) read in; then the file's bytes alone are not the model.
  const whole = await internalize(decoded.value, dirname(path));
  if (!whole.ok) return fail('bad-input', `cannot read ${path}: ${whole.error}`);
  const original = whole.value;
  // validate accepted an unsorted graph and said so once; the passes and the check take nodes in order.
  sortModel(original);
  const selfContained = original === decoded.value;
  // The check runs on the model's own shapes and data (onnx/inputs): the config's input fields, the check data.
  const source = await checkSource(ctx, original);
  if (!source.ok) return fail('bad-input', source.error);
  const feeds = seededFeeds(original, ctx.config.check.seed, ctx.config.check.batch, source.value);
  if (!feeds.ok) return fail('bad-input', `the check has no inputs for this model: ${feeds.error}`);
  const expected = expectedOutputs(original, source.value.checkData);
  const optimized = await optimizeModel(original, await passesByName(ctx.config.passes), ctx.config, {
    signal: ctx.signal,
    feeds: feeds.value,
    ...(expected ? { expected } : {}),
    ...(selfContained ? { originalBytes: bytes } : {}),
  });
  if (!optimized.ok) {
    const { cause, message, details } = optimized.error;
    return cause === 'declined' ? decline(message, details) : fail(cause, message, details);
  }
  const { run: passes, check } = optimized.value;
  await writeModelFile(ctx.out('model'), passes.model);
  const summary = summarize(original, passes, { tolerance_rel_l2: ctx.config.tolerance_rel_l2, ...check });
  await writeFile(ctx.out('passes'), `${JSON.stringify(summary, null, 2)}\n`);
  if (check.expected) {
    const said = describeExpected(check.expected);
    if (said.ok) ctx.log.info(said.line);
    else ctx.log.warn(said.line);
  }
  ctx.log.info('optimized', {
    nodesBefore: summary.nodes.before,
    nodesAfter: summary.nodes.after,
    ms: summary.totalMs,
    relL2: check.worstRelL2,
  });
  return ok(undefined);
}
