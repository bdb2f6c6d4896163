/**
 * The task metric beside relative L2 (result.ts `Correctness.task`): what an engine's output means for the job
 * the model does, not only how far its numbers moved. With labels (labels.ts) at the batch the check data was
 * recorded at, it is measured against the truth; elsewhere against the reference's own decisions:
 *   [N, C] class scores (C > 1)            top1-labels / top1-agreement (argmax per row)
 *   [N, T, C] per-step class distributions  exact-text (CTC greedy decode) / per-position-agreement (argmax per step)
 *   [N, 1] probabilities                    decision-labels / decision-agreement (score ≥ 0.5)
 * Any other output (a detector's map, an embedding) has no decision to count: relative L2 alone judges it.
 */
import { ctcGreedy, type Labels } from './labels.js';
import type { TaskMetric } from '../../measure/result.js';

/** A [N, 1] output is read as a probability when every reference value lies in [0, 1]; ≥ this is a yes. */
export const DECISION_THRESHOLD = 0.5;

/**
 * Rows of a [N, T, C] output count as class distributions (softmax) when each sums to 1 within this: a
 * sequence of features or logits has no argmax that means a class, and would make a metric of rounding ties.
 */
const SOFTMAX_SUM = 1e-3;

type Shape =
  | { kind: 'scores'; rows: number; classes: number }
  | { kind: 'sequence'; rows: number; steps: number; classes: number }
  | { kind: 'probability'; rows: number };

function shapeOf(reference: Float32Array, dims: readonly number[]): Shape | undefined {
  const [rows, second, third] = dims;
  if (rows === undefined || second === undefined) return undefined;
  if (dims.length === 2 && second > 1) return { kind: 'scores', rows, classes: second };
  if (dims.length === 2 && second === 1) {
    return reference.every((v) => v >= 0 && v <= 1) ? { kind: 'probability', rows } : undefined;
  }
  if (dims.length === 3 && third !== undefined && third > 1 && isSoftmax(reference, third)) {
    return { kind: 'sequence', rows, steps: second, classes: third };
  }
  return undefined;
}

function isSoftmax(x: Float32Array, classes: number): boolean {
  for (let start = 0; start < x.length; start += classes) {
    let sum = 0;
    for (let i = start; i < start + classes; i++) {
      if (!((x[i] as number) >= 0)) return false;
      sum += x[i] as number;
    }
    if (Math.abs(sum - 1) > SOFTMAX_SUM) return false;
  }
  return true;
}

export function argmax(x: Float32Array, start: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if ((x[start + i] as number) > (x[start + best] as number)) best = i;
  return best;
}

/** The class of every row (or step) of `x`, `width` values each. */
const argmaxes = (x: Float32Array, width: number): number[] =>
  Array.from({ length: x.length / width }, (_, r) => argmax(x, r * width, width));

const share = (hits: number, samples: number, metric: string): TaskMetric => ({
  metric,
  value: samples === 0 ? 1 : hits / samples,
  samples,
});

const agreeing = <T>(a: readonly T[], b: readonly T[]) => a.filter((v, i) => v === b[i]).length;

/** The decisions of one output: a class per row or per step, or a yes/no per row. */
function decisions(x: Float32Array, shape: Shape): number[] {
  if (shape.kind === 'probability') return Array.from(x, (v) => (v >= DECISION_THRESHOLD ? 1 : 0));
  return argmaxes(x, shape.classes);
}

function againstLabels(actual: Float32Array, shape: Shape, labels: Labels): TaskMetric | string {
  if (labels.kind === 'texts') {
    if (shape.kind !== 'sequence') return 'texts are given, but the output is not a [N, T, classes] sequence';
    const steps = argmaxes(actual, shape.classes);
    const texts = Array.from({ length: shape.rows }, (_, r) =>
      ctcGreedy(steps.slice(r * shape.steps, (r + 1) * shape.steps), labels),
    );
    return share(agreeing(texts, labels.texts), shape.rows, 'exact-text');
  }
  if (shape.kind === 'sequence') return 'classes are given, but the output is a per-step sequence: give texts';
  const classes = shape.kind === 'scores' ? shape.classes : 2;
  const outside = labels.classes.find((c) => c >= classes);
  if (outside !== undefined) return `class ${outside} is given, but the output has ${classes} classes`;
  const found = decisions(actual, shape);
  return share(
    agreeing(found, labels.classes),
    shape.rows,
    shape.kind === 'scores' ? 'top1-labels' : 'decision-labels',
  );
}

const AGREEMENT = { scores: 'top1-agreement', sequence: 'per-position-agreement', probability: 'decision-agreement' };

/**
 * The task metric of `actual` against `labels` (when this batch carries them) or else the reference's
 * decisions; undefined for an output with no decision to count. A string is a labels file that does not fit
 * the output (the caller reports it; it is the user's file that is wrong, not the engine).
 */
export function taskMetric(
  actual: Float32Array,
  reference: Float32Array,
  dims: readonly number[],
  labels?: Labels,
): TaskMetric | string | undefined {
  if (actual.length !== reference.length) return undefined;
  const shape = shapeOf(reference, dims);
  if (!shape) return labels ? `labels are given, but the output [${dims.join(', ')}] has no class to match` : undefined;
  if (labels) {
    if (labels.size !== shape.rows) {
      return `${labels.size} labels for a batch of ${shape.rows}: give one per row of input_N.pb`;
    }
    return againstLabels(actual, shape, labels);
  }
  const found = decisions(actual, shape);
  return share(agreeing(found, decisions(reference, shape)), found.length, AGREEMENT[shape.kind]);
}
