/**
 * Element types the operator's schema fixes, for any default-domain operator: an output declared as one
 * literal type (DynamicQuantizeLinear's `y_scale` is tensor(float)), a type parameter that allows a single
 * type (its `y` is uint8), or a parameter it shares with an input whose type is known (LSTM's outputs are its
 * X's type). Shapes are left to the operator's own rule; an output typed by an attribute (Cast's `to`) or by
 * nothing the schema states stays unknown.
 */
import { DType, type TensorType } from '../ir.js';
import { lookupOp } from '../schema/lookup.js';
import type { OpVersion, ParamSchema } from '../schema/types.js';
import type { RuleContext } from './context.js';

const byTypeString = new Map<string, DType>(
  Object.entries(DType).map(([name, d]) => [`tensor(${name.toLowerCase()})`, d]),
);

/** Which schema parameter each of the node's operands takes: variadic ones take the rest. */
const paramAt = (params: readonly ParamSchema[], i: number): ParamSchema | undefined => {
  const last = params[params.length - 1];
  return i < params.length ? params[i] : last?.kind === 'variadic' ? last : undefined;
};

/** The dtype a type parameter is bound to by the node's inputs, or the one type it allows. */
function bound(schema: OpVersion, param: ParamSchema, c: RuleContext): DType | undefined {
  const literal = byTypeString.get(param.type);
  if (literal !== undefined) return literal;
  const allowed = schema.types[param.type] ?? [];
  if (allowed.length === 1) return byTypeString.get(allowed[0] as string);
  for (let i = 0; i < c.node.inputs.length; i++) {
    const p = paramAt(schema.inputs, i);
    if (p?.type !== param.type || p.heterogeneous) continue;
    const d = c.dtype(i);
    if (d !== undefined) return d;
  }
  return undefined;
}

/** One entry per output: the element type the schema fixes, else undefined. */
export function schemaTypes(c: RuleContext): (TensorType | undefined)[] {
  const found = lookupOp(c.node.opType, c.opset, c.node.domain);
  if (found.kind !== 'found') return [];
  const schema = found.schema;
  return c.node.outputs.map((_, i) => {
    const p = paramAt(schema.outputs, i);
    if (!p || p.heterogeneous) return undefined;
    const d = bound(schema, p, c);
    return d === undefined ? undefined : { dtype: d };
  });
}
