/**
 * Who produces and who consumes each value, which values are constant, and what is known of each value's
 * type, for one graph (the model's or a body). Built once per pass over a graph and kept up to date by the
 * edits below, so a rewrite costs the size of its neighbourhood, not of the graph.
 *
 * A node holding a body (If/Loop/Scan) consumes the outer values its body reads (its free names) as well as
 * its inputs: they count as uses, and they are `captured`, which a rewrite must not rename or remove.
 */
import type { Graph, Model, Node, Tensor, TensorType } from '../ir.js';
import { inferShapes } from '../infer/index.js';
import { hasBodies, nodeFreeNames } from './subgraphs.js';

/** A constant visible from an enclosing graph, by name. */
export type OuterConstants = (name: string) => Tensor | undefined;

/** One graph's dataflow, looked up by value name: what patterns match against and rewrites keep current. */
export interface GraphIndex {
  /** The graph indexed. */
  graph: Graph;
  /** Value → the node that produces it (graph inputs and initializers have none). */
  producer: Map<string, Node>;
  /** Value → the nodes that read it, those whose bodies read it included. */
  consumers: Map<string, Set<Node>>;
  /** Initializers that no graph input overrides, then the enclosing graphs' ones this graph does not shadow. */
  constants: Constants;
  /** The graph's input names: fed by the caller, so no node produces them. */
  graphInputs: Set<string>;
  /** The graph's output names: the graph's interface keeps them, whatever is rewritten. */
  graphOutputs: Set<string>;
  /** Values read inside some node's body. */
  captured: Set<string>;
  /** Value → its type: declared, completed by shape inference where it can (the main graph's, on first read). */
  types: Map<string, TensorType>;
}

/** Map-like: own constants first, then the enclosing graphs' for names this graph does not define. */
export class Constants {
  readonly own = new Map<string, Tensor>();
  constructor(
    private readonly local: (name: string) => boolean,
    private readonly outer?: OuterConstants,
  ) {}
  get(name: string): Tensor | undefined {
    return this.own.get(name) ?? (this.outer && !this.local(name) ? this.outer(name) : undefined);
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  set(name: string, t: Tensor): void {
    this.own.set(name, t);
  }
}

/**
 * The main graph's index: declared types completed by shape inference where it can (a graph it cannot
 * infer keeps the declared ones). Inference runs on the first read of `types` only: most rules never look.
 */
export function indexModel(model: Model): GraphIndex {
  const index = indexGraph(model.graph);
  let types: Map<string, TensorType> | undefined;
  const get = () => (types ??= withInferred(model, declaredTypes(model.graph)));
  return Object.defineProperty(index, 'types', { get, enumerable: true });
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

type Inferred = (name: string) => TensorType | undefined;

function withScope(graph: Graph, types: Map<string, TensorType>, inferred?: Inferred): Map<string, TensorType> {
  if (!inferred) return types;
  const fill = (name: string) => {
    if (!name || types.get(name)?.shape) return;
    const t = inferred(name);
    if (t) types.set(name, t);
  };
  for (const n of graph.nodes) {
    for (const x of n.inputs) fill(x);
    for (const x of n.outputs) fill(x);
  }
  return types;
}

function declaredTypes(graph: Graph): Map<string, TensorType> {
  const types = new Map<string, TensorType>();
  for (const v of [...graph.inputs, ...graph.valueInfo, ...graph.outputs]) if (v.type) types.set(v.name, v.type);
  for (const t of graph.initializers) types.set(t.name, { dtype: t.dtype, shape: t.dims });
  return types;
}

/**
 * A graph's structure, with declared types completed by `inferred` where given; `outer` gives the constants
 * of enclosing graphs.
 */
export function indexGraph(graph: Graph, outer?: OuterConstants, inferred?: Inferred): GraphIndex {
  const producer = new Map<string, Node>();
  const consumers = new Map<string, Set<Node>>();
  const graphInputs = new Set(graph.inputs.map((v) => v.name));
  const constants = new Constants((name) => producer.has(name) || graphInputs.has(name), outer);
  const graphOutputs = new Set(graph.outputs.map((v) => v.name));
  const index = { graph, producer, consumers, constants, graphInputs, graphOutputs, captured: new Set<string>() };
  for (const node of graph.nodes) addNode(index, node);
  for (const t of graph.initializers) if (!graphInputs.has(t.name)) constants.set(t.name, t);
  let types: Map<string, TensorType> | undefined;
  // Lazy: most rules never read a type.
  const get = () => (types ??= withScope(graph, declaredTypes(graph), inferred));
  return Object.defineProperty(index, 'types', { get, enumerable: true, configurable: true }) as GraphIndex;
}

type Structure = Pick<GraphIndex, 'producer' | 'consumers' | 'captured'>;

function use(index: Structure, value: string, node: Node): void {
  const set = index.consumers.get(value);
  if (set) set.add(node);
  else index.consumers.set(value, new Set([node]));
}

export function addNode(index: Structure, node: Node): void {
  for (const o of node.outputs) if (o) index.producer.set(o, node);
  for (const i of node.inputs) if (i) use(index, i, node);
  if (!hasBodies(node)) return;
  for (const x of nodeFreeNames(node)) {
    use(index, x, node);
    index.captured.add(x);
  }
}

/** Forgets the node (its bodies' reads included); the caller takes it out of the node list. */
export function removeNode(index: Structure, node: Node): void {
  for (const o of node.outputs) if (o && index.producer.get(o) === node) index.producer.delete(o);
  for (const i of node.inputs) if (i) index.consumers.get(i)?.delete(node);
  if (hasBodies(node)) for (const x of nodeFreeNames(node)) index.consumers.get(x)?.delete(node);
}

/** Every node input reading `from` reads `to` instead. The caller makes sure no body reads `from`. */
export function renameUses(index: Structure, from: string, to: string): Node[] {
  const readers = [...(index.consumers.get(from) ?? [])];
  for (const n of readers) {
    n.inputs = n.inputs.map((i) => (i === from ? to : i));
    use(index, to, n);
  }
  index.consumers.delete(from);
  return readers;
}

/** Uses of a value: by nodes (bodies included), plus one if the graph returns it. */
export function useCount(index: Pick<GraphIndex, 'consumers' | 'graphOutputs'>, value: string): number {
  return (index.consumers.get(value)?.size ?? 0) + (index.graphOutputs.has(value) ? 1 : 0);
}

export { hasSubgraphs } from './subgraphs.js';

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
