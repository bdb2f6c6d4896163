/**
 * The stage's numeric proof, separate from the stage so a test can hand it a deliberately broken pass.
 * It declines (the original model cannot be checked on these inputs) or fails (the optimized model does not
 * run, or differs: bisection names the pass), and never mixes the two up.
 */
import type { Model, Tensor } from '../../onnx/ir.js';
import { runPassesYielding, type PassRun } from '../../onnx/rewrite/pass-manager.js';
import type { Pass } from '../../onnx/rewrite/pass.js';
import { encodeModel } from '../../onnx/serde.js';
import { fail } from '../../pipeline/reason.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { OptimizeConfig } from './config.js';
import { againstExpected, type Expected } from './expected.js';
import {
  compareOutputs,
  firstFailingStep,
  referenceRun,
  runDisabled,
  seededFeeds,
  withinTolerance,
  type Comparison,
  type Feeds,
} from '../../onnx/numeric-check.js';

export interface CheckOptions {
  /** The check's inputs; seeded from `config.check` when not given. */
  feeds?: Feeds;
  /** The original model's bytes when the caller has them (the file as read): saves encoding it again. */
  originalBytes?: Uint8Array;
  signal?: AbortSignal;
  /** The check data's expected outputs (expected.ts), compared with the original's on the same feeds. */
  expected?: ReadonlyMap<string, Tensor>;
}

export type CheckResult = Comparison & { expected?: Expected };

/** Before vs after on the check's inputs; on failure, bisects the recorded pass applications. */
export async function checkRun(
  original: Model,
  run: PassRun,
  passes: readonly Pass[],
  config: Pick<OptimizeConfig, 'check' | 'tolerance_rel_l2'>,
  options: CheckOptions = {},
): Promise<Result<CheckResult, StageFailure>> {
  const feeds = options.feeds ? ok(options.feeds) : seededFeeds(original, config.check.seed, config.check.batch);
  const ref = await referenceRun(options.originalBytes ?? encodeModel(original), feeds, original);
  if (!ref.ok) {
    const what = 'the model goes on unoptimized; give the check inputs the model runs on (check data or input shapes)';
    // A decline: the check had nothing to stand on, which says nothing about the passes.
    return fail('declined', ref.error, [what]);
  }
  const compareAfter = async (model: Model): Promise<Comparison | string> => {
    options.signal?.throwIfAborted();
    const got = await runDisabled(encodeModel(model), ref.value.feeds);
    return got.ok ? compareOutputs(got.value, ref.value.outputs) : got.error;
  };
  const vsExpected = options.expected ? againstExpected(ref.value.outputs, options.expected) : undefined;
  const after = await compareAfter(run.model);
  if (typeof after !== 'string' && withinTolerance(after, config.tolerance_rel_l2)) {
    return ok({ ...after, ...(vsExpected ? { expected: vsExpected } : {}) });
  }
  const failsAfter = async (steps: number): Promise<boolean> => {
    const signal = options.signal ? { signal: options.signal } : {};
    const replay = await runPassesYielding(original, passes, { stopAfter: steps, ...signal });
    const c = await compareAfter(replay.model);
    return typeof c === 'string' || !withinTolerance(c, config.tolerance_rel_l2);
  };
  const culprit = run.steps[await firstFailingStep(run.steps.length, failsAfter)];
  const limit = config.tolerance_rel_l2;
  const what =
    typeof after === 'string'
      ? `onnxruntime-node runs the original model on the check's inputs but not the optimized one (${after})`
      : `the optimized model differs from the original: relative L2 ${after.worstRelL2.toExponential(2)} > ${limit}`;
  return fail('check-failed', `${what}; bisection names pass '${culprit?.pass}' (round ${culprit?.round})`, [
    `remove '${culprit?.pass}' from optimize.passes to go on without it, and report the model`,
  ]);
}
