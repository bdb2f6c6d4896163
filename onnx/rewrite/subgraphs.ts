/**
 * If/Loop/Scan bodies for the passes, on top of onnx/subgraph.ts (which decodes each body message once and
 * shares it: read it, never edit it). Rewriting decodes a fresh copy, so a pass never edits a body that
 * another model (the original, a bisection replay) still holds, and a changed body goes back as a new
 * attribute message.
 *
 * A body reads values of enclosing graphs by name; those are its free names, and for the enclosing graph
 * they are uses of the node that holds the body, as real as its listed inputs.
 */
import type { onnx } from 'onnx-proto';
import type { Attribute, Graph, Node } from '../ir.js';
import { decodeGraphProto, encodeGraphProto } from '../serde.js';
import { bodiesOf, countNodes as countIn, hasBodies } from '../subgraph.js';

export { hasBodies };

const freeCache = new WeakMap<onnx.IAttributeProto, ReadonlySet<string>>();

const graphProtos = (a: Attribute): onnx.IGraphProto[] => {
  if (a.value.kind !== 'opaque') return [];
  const p = a.value.value;
  return p.g ? [p.g] : (p.graphs ?? []);
};

/** True when any node of the graph holds a body. */
export const hasSubgraphs = (graph: Graph): boolean => graph.nodes.some(hasBodies);

/** The node's bodies, decoded once and shared: read them, never edit them. */
export function bodies(node: Node): Graph[] {
  const found = bodiesOf(node);
  if (!found.ok) throw new Error(`a subgraph cannot be read: ${found.error}`);
  return found.value.map((b) => b.graph);
}

/** The shared decoded body under `label` (onnx/subgraph.ts's naming: `then_branch`, `graphs[1]`). */
export const sharedBody = (node: Node, label: string): Graph | undefined => {
  const found = bodiesOf(node);
  return found.ok ? found.value.find((b) => b.attribute === label)?.graph : undefined;
};

/** Nodes of the graph, those inside its bodies (at any depth) included. */
export const countNodes = (graph: Graph): number => countIn(graph).total;

/** Names a graph defines: its inputs, initializers and node outputs (they shadow an outer name). */
export function definedNames(graph: Graph): Set<string> {
  const names = new Set<string>();
  for (const v of graph.inputs) names.add(v.name);
  for (const t of graph.initializers) names.add(t.name);
  for (const n of graph.nodes) for (const o of n.outputs) if (o) names.add(o);
  return names;
}

/** Names a graph reads but does not define, its nested bodies' included. */
export function graphFreeNames(graph: Graph): Set<string> {
  const defined = definedNames(graph);
  const free = new Set<string>();
  const read = (x: string) => {
    if (x && !defined.has(x)) free.add(x);
  };
  for (const n of graph.nodes) {
    for (const i of n.inputs) read(i);
    for (const x of nodeFreeNames(n)) read(x);
  }
  for (const o of graph.outputs) read(o.name);
  return free;
}

/** The names of enclosing graphs that the node's bodies read. */
export function nodeFreeNames(node: Node): ReadonlySet<string> {
  const all = new Set<string>();
  for (const a of node.attributes) {
    if (a.value.kind !== 'opaque' || graphProtos(a).length === 0) continue;
    const key = a.value.value;
    let free = freeCache.get(key);
    if (!free) {
      const s = new Set<string>();
      for (const g of bodies({ ...node, attributes: [a] })) for (const x of graphFreeNames(g)) s.add(x);
      freeCache.set(key, (free = s));
    }
    for (const x of free) all.add(x);
  }
  return all;
}

/** Every graph of the model, outermost first. */
export function* allGraphs(graph: Graph): Generator<Graph> {
  yield graph;
  for (const n of graph.nodes) for (const b of bodies(n)) yield* allGraphs(b);
}

/**
 * Applies `f` to a fresh copy of each of the node's bodies (with its label, as sharedBody takes it); a body
 * `f` changed goes back into a new attribute message. Returns whether any changed.
 */
export function rewriteBodies(node: Node, f: (body: Graph, label: string) => boolean): boolean {
  if (!hasBodies(node)) return false;
  let changed = false;
  node.attributes = node.attributes.map((a) => {
    const protos = graphProtos(a);
    if (a.value.kind !== 'opaque' || protos.length === 0) return a;
    const copies = protos.map((g) => {
      const decoded = decodeGraphProto(g);
      if (!decoded.ok) throw new Error(`a subgraph cannot be read: ${decoded.error}`);
      return decoded.value;
    });
    const list = !a.value.value.g;
    const results = copies.map((g, i) => f(g, list ? `${a.name}[${i}]` : a.name));
    if (!results.some(Boolean)) return a;
    changed = true;
    const encoded = copies.map(encodeGraphProto);
    const proto = a.value.value.g ? { ...a.value.value, g: encoded[0] } : { ...a.value.value, graphs: encoded };
    return { name: a.name, value: { kind: 'opaque', value: proto } };
  });
  return changed;
}
