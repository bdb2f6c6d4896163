/**
 * `optimize`: decode once, run the pass list to a fixed point, validate, prove numerically that the model
 * still computes the same thing, encode once. When the proof fails, bisection names the first pass
 * application that broke it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { decodeModel, encodeModel } from '../../onnx/serde.js';
import { err, ok } from '../../pipeline/result.js';
import { defineStage, type StageFailure } from '../../pipeline/stage.js';
import { optimizeConfig, type OptimizeConfig } from './config.js';
import { optimizeModel } from './optimize-model.js';
import { passesByName } from './passes/index.js';
import { summarize } from './summary.js';

const fail = (message: string, details?: string[]) => err<StageFailure>({ message: `optimize: ${message}`, ...(details ? { details } : {}) });

export default defineStage<OptimizeConfig>({
  name: 'optimize',
  version: 1,
  description: 'graph passes (folding, fusion, clean-up), checked numerically in onnxruntime-node',
  config: optimizeConfig,
  inputs: { model: { stage: 'build', output: 'model' }, validation: { stage: 'validate', output: 'report' } },
  outputs: { model: 'model.opt.onnx', passes: 'passes.json' },
  async run(ctx) {
    const path = ctx.inputs.model as string;
    const decoded = decodeModel(await readFile(path));
    if (!decoded.ok) return fail(`cannot read ${path}: ${decoded.error}`);
    const original = decoded.value;
    const optimized = await optimizeModel(original, passesByName(ctx.config.passes), ctx.config);
    if (!optimized.ok) return fail(optimized.error.message, optimized.error.details);
    const { run, check } = optimized.value;
    const bytes = encodeModel(run.model);
    await writeFile(ctx.out('model'), bytes);
    const summary = summarize(original, run, { tolerance_rel_l2: ctx.config.tolerance_rel_l2, ...check });
    await writeFile(ctx.out('passes'), `${JSON.stringify(summary, null, 2)}\n`);
    ctx.log.info('optimized', { nodesBefore: summary.nodes.before, nodesAfter: summary.nodes.after, ms: summary.totalMs, relL2: check.worstRelL2 });
    return ok(undefined);
  },
});
