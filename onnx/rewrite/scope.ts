/**
 * Passes that work graph by graph: the model's graph and, first, every If/Loop/Scan body inside it, at any
 * depth. A body is rewritten before the graph that holds it, so the enclosing graph sees what the body
 * still reads. A body sees the constants of the graphs around it, except names it defines itself.
 */
import type { Graph, Model, TensorType } from '../ir.js';
import { inferGraph, type Inference } from '../infer/index.js';
import { indexGraph, indexModel, type GraphIndex, type OuterConstants } from './graph-index.js';
import { opsetVersion } from './opset.js';
import { definePass, type Pass, type PassOptions, type PassResult } from './pass.js';
import { allGraphs, definedNames, rewriteBodies, sharedBody } from './subgraphs.js';

/** Where a graph rewrite is: the graph's place in the model, and what it can see from there. */
export interface Scope {
  /** The whole model being rewritten. */
  model: Model;
  /** The default-domain opset: rules pick the operator form it uses (Clip, Dropout, Reshape, Unsqueeze...). */
  opset: number;
  /** The model's own graph: shape inference applies, and its outputs are the model's interface. */
  main: boolean;
  /** Constants of the enclosing graphs, for a body. */
  outer?: OuterConstants;
  /** Types shape inference gives a body's values (onnx/infer walks bodies with their enclosing scopes). */
  inferred?: (name: string) => TensorType | undefined;
  /** Inference over the whole model as it is when the pass starts, computed on first use. */
  inference(): Inference;
  /** A value or node name used nowhere in the model, bodies included. */
  fresh(base: string): string;
  /** Throws the abort reason when the run was aborted; cheap enough to call every few thousand nodes. */
  checkpoint(): void;
}

/** A rule pass's firings and declines, summed over every graph it rewrites. */
export type RuleStats = NonNullable<PassResult['rules']>;

/** The index of a graph in its scope: the main graph's with inferred types, a body's with its scope's. */
export const indexIn = (graph: Graph, scope: Scope): GraphIndex =>
  scope.main ? indexModel(scope.model) : indexGraph(graph, scope.outer, scope.inferred);

/** Rewrites one graph in place, recording into `stats`; true when it changed anything. */
export type GraphRewrite = (graph: Graph, scope: Scope, stats: RuleStats) => boolean;

export function checkpointOf(signal: AbortSignal | undefined): () => void {
  return () => {
    if (signal?.aborted) throw signal.reason ?? new Error('aborted');
  };
}

/** A pass applying `rewrite` to every graph of the model; `rules` says whether it reports rule statistics. */
export function graphPass(name: string, description: string, rewrite: GraphRewrite, rules = false): Pass {
  return definePass({
    name,
    description,
    run(model: Model, options: PassOptions = {}) {
      const stats: RuleStats = { fired: {}, declined: {} };
      const root = rootScope(model, options.signal);
      const visit = (graph: Graph, scope: Scope): boolean => {
        scope.checkpoint();
        let changed = false;
        const here = constantsOf(graph, scope.outer);
        for (const node of graph.nodes) {
          changed =
            rewriteBodies(node, (body, label) => {
              // The shared decode of this body is what inference walked: its scope gives the body's types.
              const shared = sharedBody(node, label);
              const inferred = (name: string) => (shared ? scope.inference().bodies.get(shared)?.get(name) : undefined);
              return visit(body, { ...scope, main: false, outer: here, inferred });
            }) || changed;
        }
        return rewrite(graph, scope, stats) || changed;
      };
      const changed = visit(model.graph, root);
      return { model, changed, rules: rules ? stats : undefined };
    },
  });
}

function rootScope(model: Model, signal: AbortSignal | undefined): Scope {
  let names: Set<string> | undefined;
  const fresh = (base: string): string => {
    names ??= allNames(model.graph);
    let n = base;
    let k = 1;
    while (names.has(n)) n = `${base}_${k++}`;
    names.add(n);
    return n;
  };
  let inference: Inference | undefined;
  return {
    model,
    opset: opsetVersion(model),
    main: true,
    fresh,
    checkpoint: checkpointOf(signal),
    inference: () => (inference ??= inferGraph(model)),
  };
}

/** What a body of `graph` sees: the graph's constants, then the enclosing ones for names the graph does not define. */
function constantsOf(graph: Graph, outer: OuterConstants | undefined): OuterConstants {
  const inputs = new Set(graph.inputs.map((v) => v.name));
  const own = new Map(graph.initializers.filter((t) => !inputs.has(t.name)).map((t) => [t.name, t]));
  let defined: Set<string> | undefined;
  return (name) => own.get(name) ?? ((defined ??= definedNames(graph)).has(name) ? undefined : outer?.(name));
}

function allNames(graph: Graph): Set<string> {
  const names = new Set<string>();
  for (const g of allGraphs(graph)) {
    for (const n of g.nodes) {
      names.add(n.name);
      for (const x of n.inputs) names.add(x);
      for (const x of n.outputs) names.add(x);
    }
    for (const x of [...g.inputs, ...g.outputs, ...g.valueInfo, ...g.initializers]) names.add(x.name);
  }
  return names;
}
