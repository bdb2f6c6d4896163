/**
 * `optimize`: decode once, run the pass list to a fixed point, validate, prove numerically that the model
 * still computes the same thing, encode once. When the proof fails, bisection names the first pass
 * application that broke it.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { runPasses, type PassRun } from '../../onnx/rewrite/pass-manager.js';
import { PassError } from '../../onnx/rewrite/pass.js';
import { decodeModel, encodeModel } from '../../onnx/serde.js';
import { validateModel } from '../../onnx/validate/index.js';
import { err, ok } from '../../pipeline/result.js';
import { defineStage, type StageFailure } from '../../pipeline/stage.js';
import { optimizeConfig, type OptimizeConfig } from './config.js';
import { checkRun } from './check-run.js';
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
    const passes = passesByName(ctx.config.passes);
    let run: PassRun;
    try {
      run = runPasses(original, passes);
    } catch (e) {
      if (e instanceof PassError) return fail(e.message, ['this is a bug in the pass; remove it from optimize.passes to go on without it']);
      throw e;
    }
    const report = validateModel(run.model);
    if (!report.ok) {
      return fail('the optimized model does not pass the validator', report.errors.slice(0, 10).map((i) => `${i.node ?? ''} ${i.field ?? ''}: ${i.message}`));
    }
    const check = await checkRun(original, run, passes, ctx.config);
    if (!check.ok) return fail(check.error.message, check.error.details);
    const bytes = encodeModel(run.model);
    await writeFile(ctx.out('model'), bytes);
    const summary = summarize(original, run, { tolerance_rel_l2: ctx.config.tolerance_rel_l2, ...check.value });
    await writeFile(ctx.out('passes'), `${JSON.stringify(summary, null, 2)}\n`);
    ctx.log.info('optimized', { nodesBefore: summary.nodes.before, nodesAfter: summary.nodes.after, ms: summary.totalMs, relL2: check.value.worstRelL2 });
    return ok(undefined);
  },
});
