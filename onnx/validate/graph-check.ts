/**
 * Graph well-formedness, as the reference checker defines it: every value defined once (SSA), every
 * node input defined by a graph input, an initializer or an earlier node, nodes in topological order,
 * graph outputs produced, initializers consistent with their dims and type.
 */
import { DType, type Dim, type Model, type Tensor, type TensorType } from '../ir.js';
import { DTypeName, nodeLabel } from '../infer/index.js';
import { fmt } from '../infer/dims.js';
import type { Issue } from './report.js';
import { tensorProblem } from './tensor-check.js';

/** A node that sits on a cycle, if the node graph has one. */
function cycleNode(model: Model): number | undefined {
  const producer = new Map<string, number>();
  model.graph.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producer.set(o, i)));
  const state = new Uint8Array(model.graph.nodes.length); // 0 new, 1 on the stack, 2 done
  for (let start = 0; start < state.length; start++) {
    if (state[start]) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const inputs = model.graph.nodes[top[0]]!.inputs;
      if (top[1] >= inputs.length) { state[top[0]] = 2; stack.pop(); continue; }
      const dep = producer.get(inputs[top[1]++]!);
      if (dep === undefined || state[dep] === 2) continue;
      if (state[dep] === 1) return dep;
      state[dep] = 1;
      stack.push([dep, 0]);
    }
  }
  return undefined;
}

/** A graph input that shares an initializer's name must declare the initializer's type and (known) dims. */
function fits(declared: TensorType, t: Tensor): boolean {
  if (declared.dtype !== DType.UNDEFINED && declared.dtype !== t.dtype) return false;
  const shape = declared.shape;
  return !shape || (shape.length === t.dims.length && shape.every((d, i) => typeof d !== 'number' || d === t.dims[i]));
}

const describe = (dtype: DType, dims: readonly Dim[] | undefined) => `${DTypeName(dtype)} ${fmt(dims)}`;

export function checkGraph(model: Model): Issue[] {
  const g = model.graph;
  const issues: Issue[] = [];
  const add = (code: string, message: string, extra: Omit<Issue, 'code' | 'message'> = {}) => issues.push({ code, message, ...extra });

  const inputNames = new Set<string>();
  for (const v of g.inputs) {
    if (!v.name) add('empty-name', 'a graph input has an empty name', { field: 'graph.input' });
    else if (inputNames.has(v.name)) add('duplicate-name', `graph input '${v.name}' is declared more than once`, { field: `input '${v.name}'` });
    inputNames.add(v.name);
  }
  for (const v of [...g.inputs, ...g.outputs]) {
    if (v.name && !v.type && !v.proto?.type) add('missing-type', `graph input or output '${v.name}' has no type`, { field: `'${v.name}'` });
    // The reference requires the shape field on a graph input's or output's tensor type (it may be empty: a scalar).
    else if (v.type && !v.type.shape) add('missing-shape', `graph input or output '${v.name}' has a tensor type without a shape`, { field: `'${v.name}'` });
  }

  const initNames = new Set<string>();
  for (const t of g.initializers) {
    const field = `initializer '${t.name}'`;
    if (initNames.has(t.name)) add('duplicate-initializer', `initializer '${t.name}' is defined more than once`, { field });
    initNames.add(t.name);
    if (model.irVersion >= 1 && model.irVersion < 4 && !inputNames.has(t.name)) add('initializer-not-input', `initializer '${t.name}' is not a graph input, which IR version ${model.irVersion} (< 4) requires`, { field });
    const problem = tensorProblem(t);
    if (problem) add('bad-initializer', `initializer '${t.name}' ${problem}`, { field });
    const declared = g.inputs.find((v) => v.name === t.name)?.type;
    if (declared && !fits(declared, t)) {
      add('initializer-type-mismatch', `initializer '${t.name}' is ${describe(t.dtype, t.dims)} but graph input '${t.name}' declares ${describe(declared.dtype, declared.shape)}`, { field });
    }
  }

  const defined = new Set<string>([...inputNames, ...initNames]);
  const producedBy = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && !producedBy.has(o) && producedBy.set(o, i)));
  const cyclic = cycleNode(model);
  if (cyclic !== undefined) {
    const n = g.nodes[cyclic]!;
    add('cycle', `node ${nodeLabel(n, cyclic)} (${n.opType}) is on a cycle: its output feeds back into its own inputs`, { node: nodeLabel(n, cyclic) });
  }

  g.nodes.forEach((n, i) => {
    const label = nodeLabel(n, i);
    n.inputs.forEach((name, k) => {
      if (!name || defined.has(name)) return;
      const later = producedBy.get(name);
      if (later === undefined) {
        add('undefined-input', `node ${label} (${n.opType}) reads '${name}', which no graph input, initializer or node defines`, { node: label, field: `input[${k}]` });
      } else if (cyclic === undefined) {
        add('not-topological', `node ${label} (${n.opType}) reads '${name}' before node ${nodeLabel(g.nodes[later]!, later)} produces it: nodes must be in topological order`, { node: label, field: `input[${k}]` });
      }
    });
    for (const out of n.outputs) {
      if (!out) continue;
      if (defined.has(out)) add('duplicate-output', `node ${label} (${n.opType}) writes '${out}', which is already defined: every value is assigned once`, { node: label, field: `output '${out}'` });
      defined.add(out);
    }
  });

  for (const v of g.outputs) {
    if (v.name && !defined.has(v.name)) add('undefined-output', `graph output '${v.name}' is not produced by any node, input or initializer`, { field: `output '${v.name}'` });
  }
  return issues;
}
