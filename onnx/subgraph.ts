/**
 * The graphs a node carries in its attributes: If's branches, Loop's and Scan's body (and any other
 * domain's graph attributes). The IR keeps them as the protobuf messages they were read as, so that an
 * untouched body is written back byte for byte; they are decoded here, once per message.
 */
import type onnxProto from 'onnx-proto';
import { err, ok, type Result } from '../pipeline/result.js';
import type { Graph, Node } from './ir.js';
import { decodeGraphProto } from './serde.js';

/** A graph nested in a node (an If's branch, a Loop's or Scan's body). */
export interface Body {
  /** The attribute it is in: `then_branch`, `body`... with `[i]` for a list of graphs. */
  attribute: string;
  /** The graph, decoded. */
  graph: Graph;
}

const GRAPH = 5;
const GRAPHS = 10;
const decoded = new WeakMap<onnxProto.onnx.IGraphProto, Result<Graph, string>>();

function decodeOnce(proto: onnxProto.onnx.IGraphProto): Result<Graph, string> {
  let graph = decoded.get(proto);
  if (!graph) {
    graph = decodeGraphProto(proto);
    decoded.set(proto, graph);
  }
  return graph;
}

export function hasBodies(node: Node): boolean {
  return node.attributes.some((a) => a.value.kind === 'opaque' && [GRAPH, GRAPHS].includes(a.value.value.type ?? 0));
}

/** Every graph in the node's attributes, in attribute order; a body that cannot be decoded is one message. */
export function bodiesOf(node: Node): Result<Body[], string> {
  const bodies: Body[] = [];
  for (const a of node.attributes) {
    if (a.value.kind !== 'opaque') continue;
    const p = a.value.value;
    const graphs = p.type === GRAPH && p.g ? [p.g] : p.type === GRAPHS ? (p.graphs ?? []) : [];
    for (const [i, g] of graphs.entries()) {
      const attribute = p.type === GRAPHS ? `${a.name}[${i}]` : a.name;
      const graph = decodeOnce(g);
      if (!graph.ok) return err(`attribute ${attribute}: ${graph.error}`);
      bodies.push({ attribute, graph: graph.value });
    }
  }
  return ok(bodies);
}

/** Nodes in the graph and in every graph nested in it, and how many of them sit in nested graphs. */
export function countNodes(graph: Graph): { total: number; inSubgraphs: number; subgraphs: number } {
  const count = { total: 0, inSubgraphs: 0, subgraphs: 0 };
  const walk = (g: Graph, nested: boolean) => {
    count.total += g.nodes.length;
    if (nested) count.inSubgraphs += g.nodes.length;
    for (const n of g.nodes) {
      if (!hasBodies(n)) continue;
      const bodies = bodiesOf(n);
      if (!bodies.ok) continue;
      count.subgraphs += bodies.value.length;
      for (const b of bodies.value) walk(b.graph, true);
    }
  };
  walk(graph, false);
  return count;
}
