/**
 * Shape and type inference for the covered operators. `inferShapes` is what the graph drawing and the
 * passes use; `inferGraph` also reports where an inferred type contradicts a declared one, or where a
 * node's inputs cannot fit together (the validator turns those into issues). The bodies of If, Loop and
 * Scan are inferred too, each seeing its enclosing graphs' values (control-flow.ts says how far).
 */
import { DType, type Dim, type Graph, type Model, type Node, type TensorType } from '../ir.js';
import { isDefaultDomain } from '../schema/lookup.js';
import { bodiesOf, hasBodies } from '../subgraph.js';
import { constOf, type ConstValue } from './constants.js';
import { makeContext } from './context.js';
import { bodyInputTypes, controlFlowOutputs, type BodyResult } from './control-flow.js';
import { fmt, ShapeError } from './dims.js';
import { propagate } from './propagate.js';
import { rules } from './rules.js';
import { schemaTypes } from './rules-schema.js';
import { Scope } from './scope.js';

/** Where inference contradicts the model, for the validator to report. */
export interface ShapeIssue {
  /** A node's inputs cannot fit together, or an inferred type contradicts a declared one. */
  code: 'shape-inference' | 'type-mismatch' | 'shape-mismatch';
  /** What contradicts what, naming the node and output. */
  message: string;
  /** The node's label (nodeLabel). */
  node?: string;
  /** The output at fault (`output 'y'`). */
  field?: string;
  /** The nested graph the node is in (validate/walk.ts names it); absent for the main graph. */
  graph?: string;
}

/** What inference found of a whole model. */
export interface Inference {
  /** The main graph's values. */
  types: Map<string, TensorType>;
  /** Contradictions met, in every graph. */
  issues: ShapeIssue[];
  /** Each nested graph's values, its enclosing graphs' visible through it. */
  bodies: Map<Graph, Scope<TensorType>>;
}

export const nodeLabel = (n: Node, i: number): string => n.name || `#${i} ${n.opType}`;

/** How a nested graph is named in messages: `If_0.then_branch`, nested ones joined by `/`. */
export const bodyPath = (outer: string, node: string, attribute: string): string =>
  `${outer ? `${outer}/` : ''}${node}.${attribute}`;

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
    if (typeof d === 'number' && typeof n === 'number' && d !== n)
      return { type: declared, conflict: 'shape-mismatch' };
    shape.push(typeof n === 'number' ? n : (d ?? n));
  }
  return { type: { dtype, shape } };
}

const SHAPE_DTYPES = new Set<DType>([DType.INT64, DType.INT32]);

interface Walk {
  opset: number;
  issues: ShapeIssue[];
  bodies: Map<Graph, Scope<TensorType>>;
}

export function inferGraph(model: Model, opset = defaultOpset(model)): Inference {
  const walk: Walk = { opset, issues: [], bodies: new Map() };
  const types = inferScope(walk, model.graph, new Scope(), new Scope(), [], '');
  return { types: types.own as Map<string, TensorType>, issues: walk.issues, bodies: walk.bodies };
}

/**
 * One graph, in node order. `types` and `consts` are this graph's scopes (a nested graph's have its
 * enclosing graph's as parents); `fed` are the types the enclosing node gives its inputs.
 */
function inferScope(
  walk: Walk,
  g: Graph,
  types: Scope<TensorType>,
  consts: Scope<ConstValue>,
  fed: readonly (TensorType | undefined)[],
  path: string,
): Scope<TensorType> {
  const nested = types.parent !== undefined;
  const declared = new Map<string, TensorType>();
  for (const v of [...g.valueInfo, ...g.outputs]) if (v.type) declared.set(v.name, v.type);
  enterInputs(g, types, consts, fed);
  g.nodes.forEach((node, index) => {
    const label = nodeLabel(node, index);
    const inferred = inferNode(walk, node, label, types, consts, path);
    node.outputs.forEach((out, i) => {
      if (!out) return;
      const type = settle(walk, { node, label, out, path }, inferred[i], declared.get(out));
      if (type || nested) types.set(out, type);
      if (nested && !consts.own.has(out)) consts.set(out, undefined);
    });
  });
  return types;
}

/**
 * The graph's inputs and initializers into its scopes. A nested graph records even what it cannot type, so
 * that its values hide the enclosing graph's of the same name.
 */
function enterInputs(
  g: Graph,
  types: Scope<TensorType>,
  consts: Scope<ConstValue>,
  fed: readonly (TensorType | undefined)[],
): void {
  const nested = types.parent !== undefined;
  g.inputs.forEach((v, i) => {
    const t = v.type && (v.type.dtype !== DType.UNDEFINED || v.type.shape) ? v.type : fed[i];
    if (t || nested) types.set(v.name, t);
    if (nested) consts.set(v.name, undefined);
  });
  const inputNames = new Set(g.inputs.map((v) => v.name));
  for (const t of g.initializers) {
    if (!inputNames.has(t.name)) types.set(t.name, { dtype: t.dtype, shape: [...t.dims] });
    // Only integer constants feed shapes. A graph input that shares an initializer's name may be fed at
    // run time, so only a pure initializer is constant.
    const c = SHAPE_DTYPES.has(t.dtype) && !inputNames.has(t.name) ? constOf(t) : undefined;
    if (c || nested) consts.set(t.name, c);
  }
}

/** Where an output is: its node, named in messages, and the nested graph's path (empty for the main graph). */
interface OutputAt {
  node: Node;
  label: string;
  out: string;
  path: string;
}

/** An output's type: the inferred one merged into the declared one, a contradiction between them an issue. */
function settle(walk: Walk, at: OutputAt, inf: TensorType | undefined, dec: TensorType | undefined) {
  if (!inf || !dec) return inf ?? dec;
  const m = merge(dec, inf);
  if (m.conflict) {
    const what = m.conflict === 'type-mismatch' ? `type ${DTypeName(inf.dtype)}` : `shape ${fmt(inf.shape)}`;
    const was = m.conflict === 'type-mismatch' ? DTypeName(dec.dtype) : fmt(dec.shape);
    const message = `${at.node.opType} ${at.label}: output '${at.out}' is inferred as ${what} but declared as ${was}`;
    const field = `output '${at.out}'`;
    walk.issues.push({ code: m.conflict, message, node: at.label, field, graph: at.path || undefined });
  }
  return m.type;
}

/** The node's output types; its bodies are inferred first, in scopes under the node's graph. */
function inferNode(
  walk: Walk,
  node: Node,
  label: string,
  types: Scope<TensorType>,
  consts: Scope<ConstValue>,
  path: string,
): (TensorType | undefined)[] {
  if (hasBodies(node)) return inferControlFlow(walk, node, label, types, consts, path);
  if (!isDefaultDomain(node.domain)) return [];
  const ctx = makeContext(
    node,
    walk.opset,
    (n) => types.get(n),
    (n) => consts.get(n),
  );
  const typed = schemaTypes(ctx);
  const rule = rules[node.opType];
  if (!rule) return typed;
  try {
    const inferred = rule(ctx);
    const folded = node.outputs.length === 1 ? propagate(ctx) : undefined;
    if (folded && node.outputs[0]) consts.set(node.outputs[0], folded);
    return node.outputs.map((_, i) => inferred[i] ?? typed[i]);
  } catch (e) {
    if (!(e instanceof ShapeError)) throw e;
    const message = `${node.opType} ${label}: ${e.message}`;
    walk.issues.push({ code: 'shape-inference', message, node: label, graph: path || undefined });
    return [];
  }
}

/** An If, Loop or Scan: each body in scopes under the node's, then the outputs the bodies give the node. */
function inferControlFlow(
  walk: Walk,
  node: Node,
  label: string,
  types: Scope<TensorType>,
  consts: Scope<ConstValue>,
  path: string,
): (TensorType | undefined)[] {
  const bodies = bodiesOf(node);
  if (!bodies.ok) return [];
  const fed = bodyInputTypes(node, walk.opset, (n) => types.get(n));
  const results: BodyResult[] = bodies.value.map((body) => {
    const inner = bodyPath(path, label, body.attribute);
    const scope = inferScope(walk, body.graph, new Scope(types), new Scope(consts), fed, inner);
    walk.bodies.set(body.graph, scope);
    return { body, scope };
  });
  if (!isDefaultDomain(node.domain)) return [];
  const { outputs, conflicts } = controlFlowOutputs(node, results);
  for (const c of conflicts) {
    const message =
      `${node.opType} ${label}: output ${c.output} is ${DTypeName(c.then)} in then_branch` +
      ` but ${DTypeName(c.else)} in else_branch`;
    const field = `output[${c.output}]`;
    walk.issues.push({ code: 'type-mismatch', message, node: label, field, graph: path || undefined });
  }
  return outputs;
}

const names = Object.fromEntries(Object.entries(DType).map(([k, v]) => [v, k.toLowerCase()]));
export const DTypeName = (d: DType): string => names[d] ?? `dtype ${d}`;
