/**
 * The stage's numeric proof, separate from the stage so a test can hand it a deliberately broken pass.
 */
import type { Model } from '../../onnx/ir.js';
import { runPasses, type PassRun } from '../../onnx/rewrite/pass-manager.js';
import type { Pass } from '../../onnx/rewrite/pass.js';
import { encodeModel } from '../../onnx/serde.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { OptimizeConfig } from './config.js';
import { compareOutputs, firstFailingStep, runDisabled, seededFeeds, withinTolerance, type Comparison, type FeedSource } from './numeric-check.js';

/** What the check needs of the config, and the inputs' shapes and data (onnx/inputs). */
export type CheckSettings = Pick<OptimizeConfig, 'check' | 'tolerance_rel_l2'> & { source?: FeedSource };

/** Before vs after on the check's inputs; on failure, bisects the recorded pass applications. */
export async function checkRun(original: Model, run: PassRun, passes: readonly Pass[], config: CheckSettings): Promise<Result<Comparison, StageFailure>> {
  const feeds = seededFeeds(original, config.check.seed, config.check.batch, config.source);
  if (!feeds.ok) return err<StageFailure>({ message: `cannot check numerically: ${feeds.error}` });
  const ref = await runDisabled(encodeModel(original), feeds.value);
  if (!ref.ok) return err<StageFailure>({ message: `onnxruntime-node cannot run the input model: ${ref.error}` });
  const compareAfter = async (model: Model): Promise<Comparison | string> => {
    const got = await runDisabled(encodeModel(model), feeds.value);
    return got.ok ? compareOutputs(got.value, ref.value) : got.error;
  };
  const after = await compareAfter(run.model);
  if (typeof after !== 'string' && withinTolerance(after, config.tolerance_rel_l2)) return ok(after);
  const failsAfter = async (steps: number): Promise<boolean> => {
    const c = await compareAfter(runPasses(original, passes, { stopAfter: steps }).model);
    return typeof c === 'string' || !withinTolerance(c, config.tolerance_rel_l2);
  };
  const culprit = run.steps[await firstFailingStep(run.steps.length, failsAfter)];
  const what = typeof after === 'string' ? `onnxruntime-node cannot run the optimized model (${after})` : `the optimized model differs from the input: relative L2 ${after.worstRelL2.toExponential(2)} > ${config.tolerance_rel_l2}`;
  return err<StageFailure>({
    message: `${what}; bisection names pass '${culprit?.pass}' (round ${culprit?.round})`,
    details: [`remove '${culprit?.pass}' from optimize.passes to go on without it, and report the model`],
  });
}
