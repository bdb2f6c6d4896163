/**
 * Weights that only bodies read. bodies.ts converts a body with float32 at its boundary, so an outer weight it
 * reads stays float32 in the file and the body casts it to float16 on every run: "converted" with no size
 * change and a slower model. After the bodies are converted, a float32 initializer of the main graph that
 * nothing but such Casts read (in any body, at any depth; never the main graph, a float32 reader or a graph
 * output) is stored as float16 instead, and those Casts go. The values are those the Casts computed (the same
 * round-to-nearest; beyond ±65504 clamped and reported, as for any weight), so the check's figures stand.
 */
import { DType, type Graph, type Model, type Node } from '../../onnx/ir.js';
import { bodies, definedNames, rewriteBodies } from '../../onnx/rewrite/subgraphs.js';
import type { Fp16Report } from './convert.js';
import { byteSize, toFloat16 } from './initializers.js';

const castsToHalf = (n: Node): boolean =>
  n.opType === 'Cast' &&
  n.domain === '' &&
  n.attributes.some((a) => a.name === 'to' && a.value.kind === 'int' && a.value.value === DType.FLOAT16);

const visibleIn = (graph: Graph, outer: ReadonlySet<string>): Set<string> => {
  const shadow = definedNames(graph);
  return new Set([...outer].filter((n) => !shadow.has(n)));
};

/** The candidates that some body reads, every reader being a Cast to float16. */
function readOnlyByCasts(main: Graph, candidates: ReadonlySet<string>): Set<string> {
  const read = new Set<string>();
  const other = new Set<string>();
  const visit = (graph: Graph, outer: ReadonlySet<string>) => {
    const here = visibleIn(graph, outer);
    for (const n of graph.nodes) {
      for (const x of n.inputs) if (here.has(x)) (castsToHalf(n) ? read : other).add(x);
      for (const b of bodies(n)) visit(b, here);
    }
    for (const o of graph.outputs) if (here.has(o.name)) other.add(o.name);
  };
  for (const n of main.nodes) for (const b of bodies(n)) visit(b, candidates);
  return new Set([...read].filter((x) => !other.has(x)));
}

/** Drops the Casts of `halved` weights in `graph` and below; their readers read the weight itself. */
function dropCasts(graph: Graph, outer: ReadonlySet<string>, inherited: ReadonlyMap<string, string>): boolean {
  const here = visibleIn(graph, outer);
  const alias = new Map([...inherited].filter(([from]) => !definedNames(graph).has(from)));
  const outputs = new Set(graph.outputs.map((o) => o.name));
  let changed = false;
  graph.nodes = graph.nodes.flatMap((n): Node[] => {
    const from = n.inputs[0] as string;
    if (!castsToHalf(n) || !here.has(from)) return [n];
    changed = true;
    // A body output must be produced inside the body: an Identity keeps the name.
    if (outputs.has(n.outputs[0] as string)) return [{ ...n, opType: 'Identity', attributes: [] }];
    alias.set(n.outputs[0] as string, from);
    return [];
  });
  for (const n of graph.nodes) {
    if (n.inputs.some((x) => alias.has(x))) {
      n.inputs = n.inputs.map((x) => alias.get(x) ?? x);
      changed = true;
    }
    if (rewriteBodies(n, (b) => dropCasts(b, here, alias))) changed = true;
  }
  return changed;
}

/** Stores as float16 the main graph's float32 weights that only converted bodies read (through Casts). */
export function halveBodyWeights(model: Model, report: Fp16Report): void {
  const g = model.graph;
  const outerReaders = new Set([...g.nodes.flatMap((n) => n.inputs), ...g.outputs.map((o) => o.name)]);
  const candidates = new Set(
    g.initializers.filter((t) => t.dtype === DType.FLOAT && !outerReaders.has(t.name)).map((t) => t.name),
  );
  const halved = readOnlyByCasts(g, candidates);
  if (halved.size === 0) return;
  g.initializers = g.initializers.map((t) => {
    if (!halved.has(t.name)) return t;
    const half = toFloat16(t, t.name, report);
    if (!half) return t;
    report.initializersConverted++;
    report.bytes.after -= byteSize(t) - byteSize(half);
    return half;
  });
  const stored = new Set(
    g.initializers.filter((t) => halved.has(t.name) && t.dtype === DType.FLOAT16).map((t) => t.name),
  );
  for (const n of g.nodes) rewriteBodies(n, (b) => dropCasts(b, stored, new Map()));
}
