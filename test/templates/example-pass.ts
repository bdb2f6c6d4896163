/**
 * TEMPLATE: a complete graph pass in one file, run by test/templates/templates.test.ts through the pass manager
 * the optimize stage uses and checked against onnxruntime, so it compiles and works as written. A new pass (say
 * `fold-mul-one`): copy this file to `stages/optimize/passes/fold-mul-one.ts`, keep the imports (the same depth),
 * keep the rules it needs and rename them and the pass, and in stages/optimize/passes/index.ts add
 * `'fold-mul-one': async () => (await import('./fold-mul-one.js')).foldMulOne` to `PASSES`, at its place in the
 * default order (the name there and the one given `rewritePass` must agree: test/stages/optimize/config.test.ts).
 *
 * A rule is a pattern, a check that says in words why it does not apply (or `undefined`: it applies), and a
 * rewrite. The two here read what most rules read: a constant's values (`mul-by-one`) and an attribute
 * (`identity-transpose`). Both replace the node by its input (`{ alias }`); a rule that makes new nodes returns
 * `{ nodes: [...], initializers: [...] }` instead (onnx/rewrite/rule.ts `Replacement`, and `makeTensor` below).
 */
import { DType } from '../../onnx/ir.js';
// intsAttr(node, name): an `ints` attribute's values, or undefined where the node has none (intAttr(node, name,
// fallback) and floatAttr likewise for one number; attr(node, name) the raw value, by `kind`).
import { intsAttr } from '../../onnx/rewrite/graph-index.js';
// The pattern's terms: op(type, [inputs], { bind }) a node, v(name) any value, c(name) a constant (an
// initializer); what they bind is the match's m.values[name], m.consts[name] (a Tensor: dtype, dims), m.nodes,
// and m.root is the node matched. ctx.index.types.get(value) is a value's type ({ dtype, shape? }: the shape's
// entries numbers, names or null, undefined where even the rank is unknown); ctx.index.constants.get(value) the
// initializer of that name; ctx.opset the model's opset. rewritePass(name, description, rules) is the pass.
import { c, op, rewritePass, rule, v } from '../../onnx/rewrite/rule.js';
// tensorNumbers(t): a constant's values as plain numbers (float16 decoded, int64 as numbers), or undefined where
// its storage cannot be read: the rule then declines, never guesses. makeTensor(name, dtype, dims, values) makes
// a new constant (`DType.FLOAT`, …) for a rule that adds one.
import { tensorNumbers } from '../../onnx/rewrite/tensors.js';

/** Element types whose multiplication by 1 is exact (a float's NaN stays NaN; -0 · 1 is -0). */
const NUMERIC: ReadonlySet<DType> = new Set([DType.FLOAT, DType.FLOAT16, DType.DOUBLE, DType.INT32, DType.INT64]);

/**
 * Whether broadcasting `dims` against `shape` leaves `shape` as it is: of no higher rank, and each dimension
 * (aligned from the right) 1 or the same fixed size.
 */
const fitsIn = (dims: readonly number[], shape: readonly (number | string | null)[]): boolean =>
  dims.length <= shape.length && dims.every((d, i) => d === 1 || d === shape[shape.length - dims.length + i]);

/**
 * Mul(x, one) → x, where `one` is a constant of ones that broadcasting cannot grow x by. (Mul(one, x) is a
 * second rule with the inputs swapped.)
 */
export const mulByOne = rule(
  'mul-by-one',
  op('Mul', [v('x'), c('one')]),
  (m) => ({ alias: m.values.x! }),
  (m, ctx) => {
    const one = m.consts.one!;
    const x = ctx.index.types.get(m.values.x!);
    if (!NUMERIC.has(one.dtype)) return `element type ${one.dtype} not handled`;
    if (x?.shape === undefined) return "x's rank is unknown";
    if (!fitsIn(one.dims, x.shape)) return 'the constant would broadcast x';
    const values = tensorNumbers(one);
    if (values === undefined) return 'the constant cannot be read';
    return values.every((n) => n === 1) ? undefined : 'the constant is not all ones';
  },
);

/** Transpose(x) → x where its `perm` keeps every axis in place. Without `perm`, Transpose reverses the axes. */
export const identityTranspose = rule(
  'identity-transpose',
  op('Transpose', [v('x')]),
  (m) => ({ alias: m.values.x! }),
  (m) => {
    const perm = intsAttr(m.root, 'perm');
    if (perm === undefined) return 'no perm: the axes are reversed';
    return perm.every((axis, i) => axis === i) ? undefined : `perm [${perm.join(', ')}] moves an axis`;
  },
);

/**
 * The pass: the rules, applied in every graph of the model (bodies included) until none fires. passes.json
 * records how often each fired and, for one that matched but declined, the first reason it gave.
 */
export const foldNeutral = rewritePass('fold-neutral', 'Mul by a constant one → x; an identity Transpose → x', [
  mulByOne,
  identityTranspose,
]);
