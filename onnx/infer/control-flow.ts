/**
 * If, Loop and Scan: what a body's inputs are (when the body does not declare them), and the node's
 * outputs from what its bodies produce. Only what is certain: an If output's element type, and the
 * dimensions both branches agree on; a Loop or Scan output's element type. The rest stays unknown.
 */
import { DType, type Dim, type Node, type TensorType } from '../ir.js';
import type { Body } from '../subgraph.js';
import type { Scope } from './scope.js';

const typeOnly = (t: TensorType | undefined): TensorType | undefined =>
  t && t.dtype !== DType.UNDEFINED ? { dtype: t.dtype } : undefined;

/** The types the node passes to a body's inputs, by position; undefined where unknown. */
export function bodyInputTypes(
  node: Node,
  opset: number,
  typeOf: (name: string) => TensorType | undefined,
): (TensorType | undefined)[] {
  const fed = (from: number) => node.inputs.slice(from).map((n) => (n ? typeOnly(typeOf(n)) : undefined));
  if (node.domain !== '' && node.domain !== 'ai.onnx') return [];
  if (node.opType === 'Loop') return [{ dtype: DType.INT64, shape: [] }, { dtype: DType.BOOL, shape: [] }, ...fed(2)];
  if (node.opType === 'Scan') return fed(opset < 9 ? 1 : 0);
  return [];
}

/** A body after inference: the types its values got. */
export interface BodyResult {
  /** The body, and the attribute it is in. */
  body: Body;
  /** Its values' types, the enclosing graphs' visible through it. */
  scope: Scope<TensorType>;
}

const outputType = (b: BodyResult, i: number) => {
  const name = b.body.graph.outputs[i]?.name;
  return name ? b.scope.get(name) : undefined;
};

function mergeBranches(a: TensorType | undefined, b: TensorType | undefined): TensorType | undefined {
  if (!a || !b) return typeOnly(a ?? b);
  const dtype = a.dtype !== DType.UNDEFINED ? a.dtype : b.dtype;
  if (!a.shape || !b.shape || a.shape.length !== b.shape.length) {
    return dtype === DType.UNDEFINED ? undefined : { dtype };
  }
  const shape: Dim[] = a.shape.map((d, i) => (d === b.shape![i] ? d : null));
  return { dtype, shape };
}

/** An If whose branches give an output two element types: an invalid model. */
export interface BranchConflict {
  /** The output's position. */
  output: number;
  /** Its element type in then_branch. */
  then: DType;
  /** Its element type in else_branch. */
  else: DType;
}

/** The node's output types from its bodies; for If, also where the branches disagree on an element type. */
export function controlFlowOutputs(
  node: Node,
  bodies: readonly BodyResult[],
): { outputs: (TensorType | undefined)[]; conflicts: BranchConflict[] } {
  const conflicts: BranchConflict[] = [];
  const by = (attr: string) => bodies.find((b) => b.body.attribute === attr);
  if (node.opType === 'If') {
    const then = by('then_branch');
    const other = by('else_branch');
    const fits = (b: BodyResult | undefined): b is BodyResult => b?.body.graph.outputs.length === node.outputs.length;
    if (!fits(then) || !fits(other)) {
      return { outputs: [], conflicts };
    }
    const outputs = node.outputs.map((_, i) => {
      const a = outputType(then, i);
      const b = outputType(other, i);
      if (a && b && a.dtype !== DType.UNDEFINED && b.dtype !== DType.UNDEFINED && a.dtype !== b.dtype) {
        conflicts.push({ output: i, then: a.dtype, else: b.dtype });
        return undefined;
      }
      return mergeBranches(a, b);
    });
    return { outputs, conflicts };
  }
  const body = by('body');
  if (!body) return { outputs: [], conflicts };
  // Loop's body outputs lead with the condition; Scan's map one to one onto the node's outputs.
  const skip = node.opType === 'Loop' ? 1 : node.opType === 'Scan' ? 0 : undefined;
  if (skip === undefined || body.body.graph.outputs.length !== node.outputs.length + skip) {
    return { outputs: [], conflicts };
  }
  return { outputs: node.outputs.map((_, i) => typeOnly(outputType(body, i + skip))), conflicts };
}
