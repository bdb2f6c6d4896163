/**
 * Dropout is the identity at inference: Dropout(x) → x, in every opset's form.
 *   opset < 7:  attribute `is_test`; 0 means training, which we leave alone.
 *   opset 7-11: inference only (attribute `ratio`).
 *   opset ≥ 12: inputs (data, ratio, training_mode); training_mode must be absent or a constant false.
 * The optional mask output must be unused.
 */
import { intAttr } from '../../../onnx/rewrite/graph-index.js';
import { tensorNumbers } from '../../../onnx/rewrite/tensors.js';
import { op, rewritePass, rule } from '../../../onnx/rewrite/rule.js';

export const dropoutToInput = rule(
  'dropout-to-input',
  op('Dropout', undefined, { bind: 'dropout' }),
  (m) => ({ alias: m.root.inputs[0] as string }),
  (m, ctx) => {
    const node = m.root;
    if (!node.inputs[0]) return 'no data input';
    if (ctx.opset < 7 && intAttr(node, 'is_test', 0) === 0) return 'is_test = 0 (training mode)';
    if (ctx.opset >= 12 && node.inputs[2]) {
      const mode = ctx.index.constants.get(node.inputs[2]);
      const values = mode && tensorNumbers(mode);
      if (!values || values.length !== 1) return 'training_mode is not a constant';
      if (values[0] !== 0) return 'training_mode is true';
    }
    return undefined;
  },
);

export const eliminateDropout = rewritePass(
  'eliminate-dropout',
  'Dropout(x) → x at inference (attribute and input forms)',
  [dropoutToInput],
);
