/**
 * Identity(x) → x. When the Identity's output is a graph output, x's producer is renamed to it instead, so
 * the graph keeps its interface; an Identity linking a graph input or a constant straight to a graph
 * output stays (onnx/ir-py IdentityEliminationPass, case 3).
 */
import { op, v, rewritePass, rule } from '../../../onnx/rewrite/rule.js';

export const identityToInput = rule('identity-to-input', op('Identity', [v('x')]), (m) => ({
  alias: m.values.x as string,
}));

export const eliminateIdentity = rewritePass('eliminate-identity', 'Identity(x) → x', [identityToInput]);
