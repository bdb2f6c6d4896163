/**
 * Graph well-formedness, as the reference checker defines it: every value defined once (SSA), every
 * node input defined by a graph input, an initializer, an earlier node or (in a nested graph) a value its
 * enclosing graphs define before the node that holds it; nodes in topological order, graph outputs
 * produced, initializers consistent with their dims and type.
 */
import { DType, type Dim, type Graph, type Tensor, type TensorType } from '../ir.js';
import { DTypeName, nodeLabel } from '../infer/index.js';
import { fmt } from '../infer/dims.js';
import type { Issue } from './report.js';
import { tensorProblem } from './tensor-check.js';

/**
 * What a nested graph sees of its enclosing graphs: each one's names with the position that defines them
 * (-1 for inputs and initializers), visible when defined before the node at `at`.
 */
export interface Outer {
  /** The enclosing graph's names → the position that defines them. */
  defs: ReadonlyMap<string, number>;
  /** The position of the node the nested graph belongs to. */
  at: number;
  /** The graph around that one, for a graph nested deeper. */
  parent?: Outer;
}

export function visibleOutside(outer: Outer | undefined, name: string): boolean {
  for (let o = outer; o; o = o.parent) {
    const d = o.defs.get(name);
    if (d !== undefined && d < o.at) return true;
  }
  return false;
}

/** A node that sits on a cycle, if the node graph has one. */
function cycleNode(g: Graph, producer: ReadonlyMap<string, number>): number | undefined {
  const state = new Uint8Array(g.nodes.length); // 0 new, 1 on the stack, 2 done
  for (let start = 0; start < state.length; start++) {
    if (state[start]) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const inputs = g.nodes[top[0]]!.inputs;
      if (top[1] >= inputs.length) {
        state[top[0]] = 2;
        stack.pop();
        continue;
      }
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

type Add = (code: string, message: string, extra?: Omit<Issue, 'code' | 'message'>) => void;

/** Inputs, outputs and initializers: names, types (the main graph's only: a body's may be inferred), data. */
function checkInterface(g: Graph, main: boolean, irVersion: number, add: Add): Set<string> {
  const inputs = new Map<string, TensorType | undefined>();
  for (const v of g.inputs) {
    if (!v.name) add('empty-name', 'a graph input has an empty name', { field: 'graph.input' });
    else if (inputs.has(v.name))
      add('duplicate-name', `graph input '${v.name}' is declared more than once`, { field: `input '${v.name}'` });
    inputs.set(v.name, v.type);
  }
  if (main) {
    for (const v of [...g.inputs, ...g.outputs]) {
      if (v.name && !v.type && !v.proto?.type)
        add('missing-type', `graph input or output '${v.name}' has no type`, { field: `'${v.name}'` });
      // The reference requires the shape field on a graph input's or output's tensor type (it may be empty: a scalar).
      else if (v.type && !v.type.shape)
        add('missing-shape', `graph input or output '${v.name}' has a tensor type without a shape`, {
          field: `'${v.name}'`,
        });
    }
  }
  const initNames = checkInitializers(g, inputs, irVersion, add);
  return new Set([...inputs.keys(), ...initNames]);
}

/** Each initializer: defined once, readable, a graph input where the IR version asks, of the type it declares. */
function checkInitializers(
  g: Graph,
  inputs: ReadonlyMap<string, TensorType | undefined>,
  irVersion: number,
  add: Add,
): Set<string> {
  const initNames = new Set<string>();
  for (const t of g.initializers) {
    const field = `initializer '${t.name}'`;
    if (initNames.has(t.name))
      add('duplicate-initializer', `initializer '${t.name}' is defined more than once`, { field });
    initNames.add(t.name);
    if (irVersion >= 1 && irVersion < 4 && !inputs.has(t.name))
      add(
        'initializer-not-input',
        `initializer '${t.name}' is not a graph input, which IR version ${irVersion} (< 4) requires`,
        { field },
      );
    const problem = tensorProblem(t);
    if (problem) add('bad-initializer', `initializer '${t.name}' ${problem}`, { field });
    const declared = inputs.get(t.name);
    if (declared && !fits(declared, t)) {
      add(
        'initializer-type-mismatch',
        `initializer '${t.name}' is ${describe(t.dtype, t.dims)} ` +
          `but graph input '${t.name}' declares ${describe(declared.dtype, declared.shape)}`,
        { field },
      );
    }
  }
  return initNames;
}

/** Where a name is defined: -1 for the graph's inputs and initializers, else the index of its node. */
type Defs = Map<string, number>;

/**
 * The graph's own issues, and where each of its names is defined (for the graphs nested in its nodes).
 * `outer` is what an enclosing graph makes visible; the main graph has none.
 */
export function checkGraph(
  g: Graph,
  main: boolean,
  irVersion: number,
  outer?: Outer,
): { issues: Issue[]; defs: Map<string, number> } {
  const issues: Issue[] = [];
  const add: Add = (code, message, extra = {}) => issues.push({ code, message, ...extra });
  const defs: Defs = new Map();
  for (const name of checkInterface(g, main, irVersion, add)) defs.set(name, -1);
  const producedBy = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && !producedBy.has(o) && producedBy.set(o, i)));
  const cyclic = checkCycle(g, producedBy, add);
  g.nodes.forEach((_, i) => {
    // A read out of order is reported only without a cycle: on a cycle, some read has to come first.
    checkReads(g, i, { defs, outer, producedBy, reportOrder: cyclic === undefined }, add);
    checkWrites(g, i, defs, outer, add);
  });
  for (const v of g.outputs) {
    if (!v.name || defs.has(v.name) || visibleOutside(outer, v.name)) continue;
    add('undefined-output', `graph output '${v.name}' is not produced by any node, input or initializer`, {
      field: `output '${v.name}'`,
    });
  }
  return { issues, defs };
}

/** Reports a node on a cycle, if there is one, and returns its index. */
function checkCycle(g: Graph, producedBy: ReadonlyMap<string, number>, add: Add): number | undefined {
  const cyclic = cycleNode(g, producedBy);
  if (cyclic === undefined) return undefined;
  const n = g.nodes[cyclic]!;
  const label = nodeLabel(n, cyclic);
  add('cycle', `node ${label} (${n.opType}) is on a cycle: its output feeds back into its own inputs`, { node: label });
  return cyclic;
}

interface Seen {
  defs: Defs;
  outer: Outer | undefined;
  producedBy: ReadonlyMap<string, number>;
  reportOrder: boolean;
}

/** Node i's inputs: each defined before it, here or (in a nested graph) in an enclosing graph. */
function checkReads(g: Graph, i: number, seen: Seen, add: Add): void {
  const n = g.nodes[i]!;
  const label = nodeLabel(n, i);
  n.inputs.forEach((name, k) => {
    if (!name || seen.defs.has(name) || visibleOutside(seen.outer, name)) return;
    const later = seen.producedBy.get(name);
    if (later === undefined) {
      const where = seen.outer
        ? 'neither this graph nor an enclosing graph defines before it'
        : 'no graph input, initializer or node defines';
      add('undefined-input', `node ${label} (${n.opType}) reads '${name}', which ${where}`, {
        node: label,
        field: `input[${k}]`,
      });
    } else if (seen.reportOrder) {
      const producer = nodeLabel(g.nodes[later]!, later);
      add(
        'not-topological',
        `node ${label} (${n.opType}) reads '${name}' before node ${producer} produces it: ` +
          'nodes must be in topological order',
        { node: label, field: `input[${k}]` },
      );
    }
  });
}

/** Node i's outputs: each value assigned once, never one an enclosing graph defines; recorded in `defs`. */
function checkWrites(g: Graph, i: number, defs: Defs, outer: Outer | undefined, add: Add): void {
  const n = g.nodes[i]!;
  const label = nodeLabel(n, i);
  for (const out of n.outputs) {
    if (!out) continue;
    const field = `output '${out}'`;
    if (defs.has(out)) {
      const message =
        `node ${label} (${n.opType}) writes '${out}', which is already defined:` + ' every value is assigned once';
      add('duplicate-output', message, { node: label, field });
    } else if (visibleOutside(outer, out)) {
      const message =
        `node ${label} (${n.opType}) writes '${out}', which an enclosing graph already defines:` +
        ' a nested graph may not reassign it';
      add('duplicate-output', message, { node: label, field });
    }
    if (!defs.has(out)) defs.set(out, i);
  }
}
