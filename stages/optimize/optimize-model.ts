/**
 * The stage's work on the IR: passes to a fixed point, the validator, the numeric check. A failure names the
 * pass to blame, found by bisection over the recorded pass applications.
 */
import type { Model } from '../../onnx/ir.js';
import { runPassesYielding, type PassRun } from '../../onnx/rewrite/pass-manager.js';
import { PassError, type Pass } from '../../onnx/rewrite/pass.js';
import { validateModel } from '../../onnx/validate/index.js';
import { fail, type StageFailure } from '../../pipeline/reason.js';
import { ok, type Result } from '../../pipeline/result.js';
import { checkRun, type CheckOptions, type CheckResult } from './check-run.js';
import type { OptimizeConfig } from './config.js';
import { firstFailingStep } from '../../onnx/numeric-check.js';

export async function optimizeModel(
  original: Model,
  passes: readonly Pass[],
  config: Pick<OptimizeConfig, 'check' | 'tolerance_rel_l2'>,
  options: CheckOptions = {},
): Promise<Result<{ run: PassRun; check: CheckResult }, StageFailure>> {
  const signal = options.signal ? { signal: options.signal } : {};
  let run: PassRun;
  try {
    run = await runPassesYielding(original, passes, signal);
  } catch (e) {
    if (e instanceof PassError)
      return fail('check-failed', e.message, [
        'this is a bug in the pass; remove it from optimize.passes to go on without it',
      ]);
    throw e;
  }
  const report = validateModel(run.model);
  if (!report.ok) {
    // The input passed the validate stage, so some pass broke validity: name the first one that did.
    const invalidAfter = async (k: number) =>
      !validateModel((await runPassesYielding(original, passes, { stopAfter: k, ...signal })).model).ok;
    const at = await firstFailingStep(run.steps.length, invalidAfter);
    const culprit = run.steps[at]?.pass ?? '?';
    return fail('check-failed', `the optimized model does not pass the validator; bisection names pass '${culprit}'`, [
      ...report.errors.slice(0, 10).map((i) => `${i.node ?? ''} ${i.field ?? ''}: ${i.message}`),
      `remove '${culprit}' from optimize.passes to go on without it`,
    ]);
  }
  const check = await checkRun(original, run, passes, config, options);
  return check.ok ? ok({ run, check: check.value }) : check;
}
