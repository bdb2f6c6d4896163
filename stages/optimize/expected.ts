/**
 * The check data's own expected outputs (`output_N.pb`, from whoever published the model and its test data)
 * against what onnxruntime computes from the ORIGINAL model on the same inputs. The numeric checks prove that
 * the optimized model computes what the original does; this says whether the original, as onnxruntime runs it,
 * computes what its publisher recorded. A difference is reported, not failed: it is not the passes' doing.
 */
import type { Model, Tensor } from '../../onnx/ir.js';
import { feedInputs, tensorFeed, type CheckData } from '../../onnx/inputs/index.js';
import { compareOutputs, type Comparison, type Outputs } from '../../onnx/numeric-check.js';

/**
 * ONNX's own backend test runner accepts an output within rtol 1e-3 of the expected one; a relative L2 of 1e-3
 * over a whole output is the same bar taken as a norm.
 */
export const EXPECTED_REL_L2 = 1e-3;

/** The agreement per output, or why there is none (an expected output onnxruntime has no type for). */
export type Expected = Pick<Comparison, 'outputs' | 'worstRelL2'> | { notCompared: string };

/** The expected outputs worth comparing: only when the check data gave every input, so both saw the same feeds. */
export function expectedOutputs(
  model: Model,
  checkData: CheckData | undefined,
): ReadonlyMap<string, Tensor> | undefined {
  if (!checkData || checkData.outputs.size === 0) return undefined;
  return feedInputs(model).every((i) => checkData.inputs.has(i.name)) ? checkData.outputs : undefined;
}

export function againstExpected(got: Outputs, expected: ReadonlyMap<string, Tensor>): Expected {
  const reference: Outputs = {};
  for (const [name, t] of expected) {
    const feed = tensorFeed(t);
    if (!feed.ok) return { notCompared: `the expected output '${name}': ${feed.error}` };
    reference[name] = feed.value;
  }
  const { outputs, worstRelL2 } = compareOutputs(got, reference);
  return { outputs, worstRelL2 };
}

/** One line for the log: how closely the original model reproduces the expected outputs. */
export function describeExpected(e: Expected): { ok: boolean; line: string } {
  if ('notCompared' in e)
    return { ok: false, line: `the check data's expected outputs were not compared: ${e.notCompared}` };
  const worst = Number.isNaN(e.worstRelL2) ? 'not comparable (shape or type)' : e.worstRelL2.toExponential(2);
  const each = Object.entries(e.outputs)
    .map(([name, a]) => `'${name}' ${Number.isNaN(a.relL2) ? 'not comparable' : a.relL2.toExponential(2)}`)
    .join(', ');
  const within = !Number.isNaN(e.worstRelL2) && e.worstRelL2 <= EXPECTED_REL_L2;
  return within
    ? { ok: true, line: `the original model reproduces the check data's expected outputs: relative L2 ${worst}` }
    : {
        ok: false,
        line:
          `the original model on onnxruntime differs from the check data's expected outputs (${each}; ` +
          `bar ${EXPECTED_REL_L2}): the checks still compare the optimized model with the original, not with these`,
      };
}
