/**
 * Who produces and who consumes each value, which values are constant, and what is known of each value's
 * type. Rebuilt after every rewrite (graphs here are small); rules read it.
 */
import type { Graph, Model, Node, Tensor, TensorType } from '../ir.js';
import { inferShapes } from '../infer/index.js';

export interface GraphIndex {
  graph: Graph;
  producer: Map<string, Node>;
  consumers: Map<string, Node[]>;
  /** Initializers that no graph input overrides (an input may shadow an initializer before IR v4). */
  constants: Map<string, Tensor>;
  graphInputs: Set<string>;
  graphOutputs: Set<string>;
  types: Map<string, TensorType>;
}

/**
 * Declared types, completed by shape inference where it can (a graph it cannot infer keeps the declared
 * ones). Inference runs on the first read of `types` only: most rules never look at a type.
 */
export function indexModel(model: Model): GraphIndex {
  let types: Map<string, TensorType> | undefined;
  return { ...indexGraph(model.graph), get types() { return (types ??= withInferred(model, declaredTypes(model.graph))); } };
}

function withInferred(model: Model, declared: ReadonlyMap<string, TensorType>): Map<string, TensorType> {
  const types = new Map(declared);
  let inferred: Map<string, TensorType> | undefined;
  try {
    inferred = inferShapes(model);
  } catch {
    inferred = undefined;
  }
  for (const [name, type] of inferred ?? []) if (!types.get(name)?.shape) types.set(name, type);
  return types;
}

function declaredTypes(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) if (v.type) types.set(v.name, v.type);
  for (const t of graph.initializers) types.set(t.name, { dtype: t.dtype, shape: t.dims });
  return types;
}

/** The graph's structure, with declared types only. */
export function indexGraph(graph: Graph): GraphIndex {
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Node[]>();
  for (const node of graph.nodes) {
    for (const o of node.outputs) if (o) producer.set(o, node);
    for (const i of node.inputs) {
      if (!i) continue;
      const list = consumers.get(i);
      if (list) list.push(node);
      else consumers.set(i, [node]);
    }
  }
  const graphInputs = new Set(graph.inputs.map((v) => v.name));
  const constants = new Map<string, Tensor>();
  for (const t of graph.initializers) if (!graphInputs.has(t.name)) constants.set(t.name, t);
  let types: Map<string, TensorType> | undefined;
  const index = { graph, producer, consumers, constants, graphInputs, graphOutputs: new Set(graph.outputs.map((v) => v.name)) };
  // Lazy: most rules never read a type, and the index is rebuilt after every rewrite.
  return Object.defineProperty(index, 'types', { get: () => (types ??= declaredTypes(graph)), enumerable: true }) as GraphIndex;
}

/** Uses of a value: by nodes, plus one if the graph returns it. */
export function useCount(index: GraphIndex, value: string): number {
  return (index.consumers.get(value)?.length ?? 0) + (index.graphOutputs.has(value) ? 1 : 0);
}

/** Nodes that read a value from inside a subgraph attribute (If/Loop/Scan bodies) are invisible here. */
export function hasSubgraphs(graph: Graph): boolean {
  return graph.nodes.some((n) => n.attributes.some((a) => a.value.kind === 'opaque' && (a.value.value.g != null || (a.value.value.graphs?.length ?? 0) > 0)));
}

export const attr = (node: Node, name: string) => node.attributes.find((a) => a.name === name)?.value;

export function intAttr(node: Node, name: string, fallback: number): number {
  const v = attr(node, name);
  return v?.kind === 'int' ? v.value : fallback;
}

export function floatAttr(node: Node, name: string, fallback: number): number {
  const v = attr(node, name);
  return v?.kind === 'float' ? v.value : fallback;
}

export function intsAttr(node: Node, name: string): number[] | undefined {
  const v = attr(node, name);
  return v?.kind === 'ints' ? v.value : undefined;
}
