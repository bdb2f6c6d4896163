/**
 * If/Loop/Scan bodies, which the IR carries as opaque graph attributes. Reading (free names, node counts)
 * decodes a body once per attribute message and caches it; rewriting decodes a fresh copy, so a pass never
 * edits a body that another model (the original, a bisection replay) still holds, and a changed body goes
 * back as a new attribute message.
 *
 * A body reads values of enclosing graphs by name; those are its free names, and for the enclosing graph
 * they are uses of the node that holds the body, as real as its listed inputs.
 */
import type { onnx } from 'onnx-proto';
import type { Attribute, Graph, Node } from '../ir.js';
import { decodeGraphProto, encodeGraphProto } from '../serde.js';

const decoded = new WeakMap<onnx.IAttributeProto, Graph[]>();
const freeCache = new WeakMap<onnx.IAttributeProto, ReadonlySet<string>>();
const countCache = new WeakMap<onnx.IAttributeProto, number>();

const graphProtos = (a: Attribute): onnx.IGraphProto[] => {
  if (a.value.kind !== 'opaque') return [];
  const p = a.value.value;
  return p.g ? [p.g] : p.graphs ?? [];
};

export const hasBodies = (node: Node): boolean => node.attributes.some((a) => graphProtos(a).length > 0);

/** True when any node of the graph holds a body. */
export const hasSubgraphs = (graph: Graph): boolean => graph.nodes.some(hasBodies);

function decode(proto: onnx.IGraphProto): Graph {
  const g = decodeGraphProto(proto);
  if (!g.ok) throw new Error(`a subgraph cannot be read: ${g.error}`);
  return g.value;
}

/** The node's bodies, decoded once and shared: read them, never edit them. */
export function bodies(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of node.attributes) {
    if (a.value.kind !== 'opaque' || graphProtos(a).length === 0) continue;
    const key = a.value.value;
    let gs = decoded.get(key);
    if (!gs) decoded.set(key, (gs = graphProtos(a).map(decode)));
    out.push(...gs);
  }
  return out;
}

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
  const read = (x: string) => { if (x && !defined.has(x)) free.add(x); };
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

/** Nodes of the graph, those inside its bodies (at any depth) included. */
export function countNodes(graph: Graph): number {
  let n = graph.nodes.length;
  for (const node of graph.nodes) {
    for (const a of node.attributes) {
      if (a.value.kind !== 'opaque' || graphProtos(a).length === 0) continue;
      const key = a.value.value;
      let c = countCache.get(key);
      if (c === undefined) {
        c = bodies({ ...node, attributes: [a] }).reduce((s, g) => s + countNodes(g), 0);
        countCache.set(key, c);
      }
      n += c;
    }
  }
  return n;
}

/** Every graph of the model, outermost first. */
export function* allGraphs(graph: Graph): Generator<Graph> {
  yield graph;
  for (const n of graph.nodes) for (const b of bodies(n)) yield* allGraphs(b);
}

/**
 * Applies `f` to a fresh copy of each of the node's bodies; a body `f` changed goes back into a new attribute
 * message. Returns whether any changed.
 */
export function rewriteBodies(node: Node, f: (body: Graph, attribute: string) => boolean): boolean {
  if (!hasBodies(node)) return false;
  let changed = false;
  node.attributes = node.attributes.map((a) => {
    const protos = graphProtos(a);
    if (a.value.kind !== 'opaque' || protos.length === 0) return a;
    const copies = protos.map(decode);
    const results = copies.map((g) => f(g, a.name));
    if (!results.some(Boolean)) return a;
    changed = true;
    const encoded = copies.map(encodeGraphProto);
    const proto = a.value.value.g ? { ...a.value.value, g: encoded[0] } : { ...a.value.value, graphs: encoded };
    decoded.set(proto, copies);
    return { name: a.name, value: { kind: 'opaque', value: proto } };
  });
  return changed;
}
