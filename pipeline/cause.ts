/**
 * Why a stage did not build, in two words used everywhere a failure or a skip is carried: the `cause`, a
 * kebab-case value code switches on (the manifest records it), and the `message`, the sentence people read.
 * The pipeline's own causes are listed here; a toolkit or stage adds the causes its failures give by merging
 * them into `StageCauses` (trt/classify-failure.ts does), so this module stays free of what any stage knows.
 */
import { err, type Result } from './result.js';

/** The causes the pipeline itself gives, whatever the stages are. */
export type PipelineCause =
  /** Left out by the caller (`--precision`). */
  | 'excluded'
  /** Does not apply to this run config (the stage's `when`). */
  | 'inapplicable'
  /** A producer it needs failed, or was skipped after a failure. */
  | 'upstream-failed'
  /** A producer it needs was skipped without a failure (declined, tool missing). */
  | 'upstream-skipped'
  /** A tool the stage needs was not found (its probe said why); under `--require` the run fails instead. */
  | 'tool-unavailable'
  /** The stage ran and could not prove its output; consumers take their fallback. */
  | 'declined'
  /** A signal stopped the run before the stage finished. */
  | 'interrupted'
  /** The user's model, data or named file is at fault; like every stage failure, the run exits 1. */
  | 'bad-input'
  /**
   * A UserError of exit 2 thrown inside a stage, or a model the validator refuses: the user's config, usage or
   * model is at fault, as the CLI's own checks before the run would say; a run whose every failure is one exits 2.
   */
  | 'user-error'
  /** The machine refused (a full disk, a read-only folder). */
  | 'environment'
  /** The stage succeeded without writing a declared output. */
  | 'output-missing'
  /** A throw where a value was expected: a bug. */
  | 'unknown-error-thrown'
  /** A tool the stage ran exited with an error, ran past its time limit, or replied with nothing usable. */
  | 'tool-failed'
  /** A check of the stage's result failed (a validator, a numeric comparison, a regression gate). */
  | 'check-failed';

/** Causes that toolkits and stages add by declaration merging; the keys are the causes. */
export interface StageCauses {}

/** Every cause a stage can end with: the pipeline's own and those the toolkits and stages declare. */
export type Cause = PipelineCause | keyof StageCauses;

/**
 * A stage's own failure, shown to the user as one message (what, where, what to do). The stage says what went
 * wrong; the runner names the stage (`stage: message`) when it records the failure in the stage's outcome.
 */
export interface StageFailure {
  /** Why, as a value. */
  cause: Cause;
  /** What went wrong, where, and what to do, in one sentence. */
  message: string;
  /** Supporting lines (a tool's relevant output, the failing node), printed under the message. */
  details?: string[];
}

/** The one constructor of a stage failure. */
export const fail = (cause: Cause, message: string, details?: readonly string[]): Result<never, StageFailure> =>
  err({ cause, message, details: details && details.length > 0 ? [...details] : undefined });
