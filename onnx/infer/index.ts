/**
 * Shape and type inference for the covered operators. `inferShapes` is what the graph drawing and the
 * passes use; `inferGraph` also reports where an inferred type contradicts a declared one, or where a
 * node's inputs cannot fit together (the validator turns those into issues).
 */
import { DType, type Dim, type Model, type Node, type TensorType } from '../ir.js';
import { isDefaultDomain } from '../schema/lookup.js';
import { constOf, type ConstValue } from './constants.js';
import { makeContext } from './context.js';
import { fmt, ShapeError } from './dims.js';
import { propagate } from './propagate.js';
import { rules } from './rules.js';

export interface ShapeIssue {
  code: 'shape-inference' | 'type-mismatch' | 'shape-mismatch';
  message: string;
  node?: string;
  field?: string;
}

export interface Inference {
  types: Map<string, TensorType>;
  issues: ShapeIssue[];
}

export const nodeLabel = (n: Node, i: number): string => n.name || `#${i} ${n.opType}`;

export function defaultOpset(model: Model): number {
  return model.opsetImports.find((o) => isDefaultDomain(o.domain))?.version ?? 1;
}

/** Name → tensor type of every value whose type is declared or inferred. Does not modify `model`. */
export function inferShapes(model: Model): Map<string, TensorType> {
  return inferGraph(model).types;
}

/** Merges an inferred type into a declared one; a definite contradiction is returned as a message. */
function merge(declared: TensorType, inferred: TensorType): { type: TensorType; conflict?: ShapeIssue['code'] } {
  if (declared.dtype !== DType.UNDEFINED && inferred.dtype !== DType.UNDEFINED && declared.dtype !== inferred.dtype) {
    return { type: declared, conflict: 'type-mismatch' };
  }
  const dtype = inferred.dtype !== DType.UNDEFINED ? inferred.dtype : declared.dtype;
  if (!declared.shape) return { type: inferred.shape ? { dtype, shape: inferred.shape } : { dtype } };
  if (!inferred.shape) return { type: { dtype, shape: declared.shape } };
  if (declared.shape.length !== inferred.shape.length) return { type: declared, conflict: 'shape-mismatch' };
  const shape: Dim[] = [];
  for (let i = 0; i < declared.shape.length; i++) {
    const d = declared.shape[i]!;
    const n = inferred.shape[i]!;
    if (typeof d === 'number' && typeof n === 'number' && d !== n) return { type: declared, conflict: 'shape-mismatch' };
    shape.push(typeof n === 'number' ? n : d ?? n);
  }
  return { type: { dtype, shape } };
}

const SHAPE_DTYPES = new Set<DType>([DType.INT64, DType.INT32]);

export function inferGraph(model: Model, opset = defaultOpset(model)): Inference {
  const g = model.graph;
  const types = new Map<string, TensorType>();
  const consts = new Map<string, ConstValue>();
  const declared = new Map<string, TensorType>();
  const issues: ShapeIssue[] = [];
  for (const v of [...g.valueInfo, ...g.outputs]) if (v.type) declared.set(v.name, v.type);
  for (const v of g.inputs) if (v.type) types.set(v.name, v.type);
  const inputNames = new Set(g.inputs.map((v) => v.name));
  for (const t of g.initializers) {
    if (!types.has(t.name)) types.set(t.name, { dtype: t.dtype, shape: [...t.dims] });
    // Only integer constants feed shapes. A graph input that shares an initializer's name may be fed at
    // run time, so only a pure initializer is constant.
    if (SHAPE_DTYPES.has(t.dtype) && !inputNames.has(t.name)) {
      const c = constOf(t);
      if (c) consts.set(t.name, c);
    }
  }

  g.nodes.forEach((node, index) => {
    const label = nodeLabel(node, index);
    const rule = isDefaultDomain(node.domain) ? rules[node.opType] : undefined;
    let inferred: (TensorType | undefined)[] = [];
    if (rule) {
      const ctx = makeContext(node, opset, (n) => types.get(n), (n) => consts.get(n));
      try {
        inferred = rule(ctx);
        const folded = node.outputs.length === 1 ? propagate(ctx) : undefined;
        if (folded && node.outputs[0]) consts.set(node.outputs[0], folded);
      } catch (e) {
        if (!(e instanceof ShapeError)) throw e;
        issues.push({ code: 'shape-inference', message: `${node.opType} ${label}: ${e.message}`, node: label });
      }
    }
    node.outputs.forEach((out, i) => {
      if (!out) return;
      const inf = inferred[i];
      const dec = declared.get(out);
      if (inf && dec) {
        const m = merge(dec, inf);
        if (m.conflict) {
          const what = m.conflict === 'type-mismatch' ? `type ${DTypeName(inf.dtype)}` : `shape ${fmt(inf.shape)}`;
          const was = m.conflict === 'type-mismatch' ? DTypeName(dec.dtype) : fmt(dec.shape);
          issues.push({ code: m.conflict, message: `${node.opType} ${label}: output '${out}' is inferred as ${what} but declared as ${was}`, node: label, field: `output '${out}'` });
        }
        types.set(out, m.type);
      } else if (inf ?? dec) types.set(out, (inf ?? dec)!);
    });
  });
  return { types, issues };
}

const names = Object.fromEntries(Object.entries(DType).map(([k, v]) => [v, k.toLowerCase()]));
export const DTypeName = (d: DType): string => names[d] ?? `dtype ${d}`;
