/**
 * A rule is a pattern, an optional check that says why it does not apply, and a replacement
 * (onnxscript's RewriteRule, tinygrad's (UPat, fn)). `rewritePass` turns a table of rules into a pass that
 * applies them until none fires, records how often each fired and, for each that matched but declined,
 * the first reason it gave.
 */
import type { Model, Node, Tensor } from '../ir.js';
import { hasSubgraphs, indexModel, useCount, type GraphIndex } from './graph-index.js';
import { opsetVersion } from './opset.js';
import { definePass, type Pass, type PassResult } from './pass.js';
import { matchPattern, type Match, type OpPattern } from './pattern.js';

export interface RuleContext {
  model: Model;
  index: GraphIndex;
  /** The default-domain opset: rules pick the operator form it uses (Clip, Dropout, Reshape, Unsqueeze...). */
  opset: number;
  /** A value or node name not yet used in the graph. */
  fresh(base: string): string;
}

export type Replacement =
  /** New nodes producing the root's outputs under the same names, and the constants they read. */
  | { nodes: Node[]; initializers?: Tensor[] }
  /** The root's first output is the existing value `alias`; its other outputs must be unused. */
  | { alias: string };

export interface Rule {
  name: string;
  pattern: OpPattern;
  /** Undefined when the rule applies; otherwise why not, in words. */
  check?(m: Match, ctx: RuleContext): string | undefined;
  /** The replacement; or, when building it shows the rule cannot apply (an unreadable constant), why not. */
  rewrite(m: Match, ctx: RuleContext): Replacement | string;
}

export const rule = (name: string, pattern: OpPattern, rewrite: Rule['rewrite'], check?: Rule['check']): Rule =>
  ({ name, pattern, rewrite, ...(check ? { check } : {}) });

export type RuleStats = NonNullable<PassResult['rules']>;

const MAX_SWEEPS = 100;

export function rewritePass(name: string, description: string, rules: readonly Rule[]): Pass {
  return definePass({
    name,
    description,
    run(model) {
      const s: RuleStats = { fired: {}, declined: {} };
      // Values read inside subgraphs are invisible to the index, so a rewrite there could strand them.
      if (hasSubgraphs(model.graph)) return { model, changed: false, rules: { fired: {}, declined: { '*': 'graph has subgraphs' } } };
      let changed = false;
      for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
        if (!sweepOnce(model, rules, s)) break;
        changed = true;
        if (sweep === MAX_SWEEPS - 1) throw new Error(`Internal error: rules of '${name}' still firing after ${MAX_SWEEPS} sweeps`);
      }
      return { model, changed, rules: s };
    },
  });
}

function sweepOnce(model: Model, rules: readonly Rule[], s: RuleStats): boolean {
  const graph = model.graph;
  const names = allNames(model);
  const fresh = (base: string): string => {
    let n = base, k = 1;
    while (names.has(n)) n = `${base}_${k++}`;
    names.add(n);
    return n;
  };
  const opset = opsetVersion(model);
  let index = indexModel(model);
  let fired = false;
  for (const node of [...graph.nodes]) {
    if (!graph.nodes.includes(node)) continue;
    for (const r of rules) {
      if (r.pattern.opType !== node.opType) continue;
      const m = matchPattern(r.pattern, node, index);
      if (!m) continue;
      const ctx: RuleContext = { model, index, opset, fresh };
      const reason = r.check?.(m, ctx) ?? applyOrDecline(model, m, r.rewrite(m, ctx), index);
      if (reason !== undefined) {
        s.declined[r.name] ??= `${node.name || node.opType}: ${reason}`;
        continue;
      }
      s.fired[r.name] = (s.fired[r.name] ?? 0) + 1;
      fired = true;
      index = indexModel(model);
      break;
    }
  }
  return fired;
}

/** Applies a replacement, or says why it cannot without changing the graph's interface. */
function applyOrDecline(model: Model, m: Match, r: Replacement | string, index: GraphIndex): string | undefined {
  if (typeof r === 'string') return r;
  const graph = model.graph;
  const root = m.root;
  if ('alias' in r) {
    const old = root.outputs[0] ?? '';
    if (root.outputs.slice(1).some((o) => o && useCount(index, o) > 0)) return 'a secondary output (such as a mask) is used';
    if (index.graphOutputs.has(old)) {
      // The graph output keeps its name: the aliased value's producer is renamed to it instead.
      const producer = index.producer.get(r.alias);
      if (!producer || index.graphOutputs.has(r.alias)) return 'it would link a graph input, constant or another output straight to a graph output';
      producer.outputs = producer.outputs.map((o) => (o === r.alias ? old : o));
      renameUses(graph.nodes, r.alias, old);
      graph.valueInfo = graph.valueInfo.filter((vi) => vi.name !== r.alias);
    } else {
      renameUses(graph.nodes, old, r.alias);
    }
    graph.nodes.splice(graph.nodes.indexOf(root), 1);
  } else {
    graph.nodes.splice(graph.nodes.indexOf(root), 1, ...r.nodes);
    graph.initializers.push(...(r.initializers ?? []));
  }
  removeDeadMatched(model, m);
  return undefined;
}

function renameUses(nodes: readonly Node[], from: string, to: string): void {
  for (const n of nodes) n.inputs = n.inputs.map((i) => (i === from ? to : i));
}

/** Inner matched nodes whose outputs nobody reads any more go with the root. */
function removeDeadMatched(model: Model, m: Match): void {
  const graph = model.graph;
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const used = (o: string): boolean => outputs.has(o) || graph.nodes.some((x) => x.inputs.includes(o));
  for (const n of [...m.matched].reverse()) {
    if (n === m.root || !graph.nodes.includes(n)) continue;
    if (n.outputs.every((o) => !o || !used(o))) {
      graph.nodes.splice(graph.nodes.indexOf(n), 1);
    }
  }
}

function allNames(model: Model): Set<string> {
  const g = model.graph;
  const names = new Set<string>();
  for (const n of g.nodes) {
    names.add(n.name);
    for (const x of [...n.inputs, ...n.outputs]) names.add(x);
  }
  for (const x of [...g.inputs, ...g.outputs, ...g.valueInfo, ...g.initializers]) names.add(x.name);
  return names;
}
