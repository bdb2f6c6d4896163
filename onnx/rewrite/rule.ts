/**
 * What a pass's author writes. A rule is a pattern, an optional check that says why it does not apply, and a
 * replacement (onnxscript's RewriteRule, tinygrad's (UPat, fn)). A pattern is made of `op` (a node), `v` (any
 * value), `c` (a constant: an initializer) and `opt` (an optional trailing input); the names they bind become the
 * keys of the `Match`, as tinygrad's UPat names become keyword arguments. `rewritePass` turns a table of rules into
 * a pass that applies them, in every graph of the model, until none fires; it records how often each fired and,
 * for each that matched but declined, the first reason it gave. stages/optimize/passes/index.ts registers it.
 *
 * The engine is a worklist over one index kept up to date (graph-index.ts): a rewrite re-examines only the
 * nodes around it, and the node list is rebuilt once at the end, so a pass costs about the graph's size.
 */
import type { Graph, Model, Node, Tensor } from '../ir.js';
import type { GraphIndex } from './graph-index.js';
import type { Pass } from './pass.js';
import { matchPattern } from './pattern.js';
import { applyReplacement, type Edits } from './apply.js';
import { graphPass, indexIn, type RuleStats, type Scope } from './scope.js';

export type { RuleStats } from './scope.js';

/** What a value (or the node producing it) must be for a rule to apply; made by `op`, `v`, `c` and `opt`. */
export type Pattern =
  | {
      kind: 'op';
      /** The producing node's operator, in the default domain. */
      opType: string;
      /** Patterns for its inputs, by position; absent: any inputs. */
      inputs?: readonly Pattern[];
      /** The name the match holds the node under (`m.nodes[bind]`). */
      bind?: string;
      /** An inner node must have no other reader (the root is exempt). */
      singleUse: boolean;
    }
  | {
      kind: 'value';
      /** The name the match holds the value under (`m.values[bind]`). */
      bind: string;
    }
  | {
      kind: 'const';
      /** The name the match holds the initializer under (`m.consts[bind]`). */
      bind: string;
    }
  /** An optional trailing input: matches '' (absent) or the inner pattern. */
  | {
      kind: 'optional';
      /** What the input must be when it is there. */
      inner: Pattern;
    };

/** A pattern whose root is an operator: what a rule matches from. */
export type OpPattern = Extract<Pattern, { kind: 'op' }>;

/**
 * An operator. Inputs listed are matched positionally; extra node inputs beyond them are allowed only
 * when `inputs` is omitted. An inner op must have a single use unless `singleUse: false`, because
 * rewriting it away would otherwise leave its other users stranded or duplicate its work.
 */
export const op = (
  opType: string,
  inputs?: readonly Pattern[],
  opts: { bind?: string; singleUse?: boolean } = {},
): OpPattern => ({
  kind: 'op',
  opType,
  inputs,
  bind: opts.bind,
  singleUse: opts.singleUse ?? true,
});
export const v = (bind: string): Pattern => ({ kind: 'value', bind });
export const c = (bind: string): Pattern => ({ kind: 'const', bind });
export const opt = (inner: Pattern): Pattern => ({ kind: 'optional', inner });

/** A match of a pattern at a root node: everything its names bound. */
export interface Match {
  /** The node the pattern was matched at: the one a replacement replaces. */
  root: Node;
  /** The nodes `op(…, { bind })` bound, by name. */
  nodes: Record<string, Node>;
  /** The value names `v` bound (and those `c` bound), by name. */
  values: Record<string, string>;
  /** The initializers `c` bound, by name. */
  consts: Record<string, Tensor>;
  /** Every matched node, root last: the ones the rewrite engine may delete. */
  matched: Node[];
}

/** What a rule's check and rewrite see beside the match. */
export interface RuleContext {
  /** The whole model: a rule may read its opsets or another graph's values. */
  model: Model;
  /** The graph's index (producers, consumers, constants), kept up to date between rewrites. */
  index: GraphIndex;
  /** The default-domain opset: rules pick the operator form it uses (Clip, Dropout, Reshape, Unsqueeze...). */
  opset: number;
  /** A value or node name not yet used in the model. */
  fresh(base: string): string;
}

/** What a rule puts in place of the matched root. */
export type Replacement =
  /** New nodes producing the root's outputs under the same names, and the constants they read. */
  | {
      /** Put in the root's place in this order: each after the nodes whose outputs it reads. */
      nodes: Node[];
      /** New initializers the nodes read. */
      initializers?: Tensor[];
    }
  /** The root's first output is the existing value `alias`; its other outputs must be unused. */
  | {
      /** The value the root's readers read instead. */
      alias: string;
    };

/** A rewrite: where it applies (pattern and check) and what it does there. */
export interface Rule {
  /** kebab-case; passes.json counts firings and declines by it. */
  name: string;
  /** What the rule matches, from the root node. */
  pattern: OpPattern;
  /** Undefined when the rule applies; otherwise why not, in words. */
  check?(m: Match, ctx: RuleContext): string | undefined;
  /** The replacement; or, when building it shows the rule cannot apply (an unreadable constant), why not. */
  rewrite(m: Match, ctx: RuleContext): Replacement | string;
}

export const rule = (name: string, pattern: OpPattern, rewrite: Rule['rewrite'], check?: Rule['check']): Rule => ({
  name,
  pattern,
  rewrite,
  check,
});

/** Rewrites per node of the graph before the engine calls it a runaway (two rules undoing each other). */
const MAX_FIRES_PER_NODE = 8;
const CHECK_EVERY = 2048;

export function rewritePass(name: string, description: string, rules: readonly Rule[]): Pass {
  const byOp = new Map<string, Rule[]>();
  for (const r of rules) byOp.set(r.pattern.opType, [...(byOp.get(r.pattern.opType) ?? []), r]);
  return graphPass(name, description, (graph, scope, stats) => rewriteGraph(graph, scope, byOp, stats, name), true);
}

function rewriteGraph(
  graph: Graph,
  scope: Scope,
  byOp: ReadonlyMap<string, Rule[]>,
  s: RuleStats,
  pass: string,
): boolean {
  if (!graph.nodes.some((n) => byOp.has(n.opType))) return false;
  const index = indexIn(graph, scope);
  const ctx: RuleContext = { model: scope.model, index, opset: scope.opset, fresh: scope.fresh };
  const edits: Edits = { removed: new Set(), replaced: new Map(), initializers: [], droppedValueInfo: new Set() };
  const queue: Node[] = graph.nodes.filter((n) => byOp.has(n.opType));
  const queued = new Set(queue);
  const limit = MAX_FIRES_PER_NODE * graph.nodes.length + 1000;
  let fires = 0;
  for (let head = 0; head < queue.length; head++) {
    if (head % CHECK_EVERY === 0) scope.checkpoint();
    const node = queue[head] as Node;
    queued.delete(node);
    if (edits.removed.has(node)) continue;
    const touched = fireFirst(node, byOp.get(node.opType) ?? [], ctx, edits, s);
    if (!touched) continue;
    if (++fires > limit) throw new Error(`Internal error: rules of '${pass}' still firing after ${fires} rewrites`);
    for (const n of touched) {
      if (!queued.has(n) && !edits.removed.has(n) && byOp.has(n.opType)) {
        queued.add(n);
        queue.push(n);
      }
    }
  }
  if (fires === 0) return false;
  commit(graph, edits);
  return true;
}

/** The first of the node's rules that applies, applied: the nodes to look at again. A decline is noted in `s`. */
function fireFirst(
  node: Node,
  rules: readonly Rule[],
  ctx: RuleContext,
  edits: Edits,
  s: RuleStats,
): Node[] | undefined {
  for (const r of rules) {
    const m = matchPattern(r.pattern, node, ctx.index);
    if (!m) continue;
    const reason = r.check?.(m, ctx);
    const touched = reason === undefined ? applyReplacement(ctx.index, edits, m, r.rewrite(m, ctx)) : reason;
    if (typeof touched === 'string') {
      s.declined[r.name] ??= `${node.name || node.opType}: ${touched}`;
      continue;
    }
    s.fired[r.name] = (s.fired[r.name] ?? 0) + 1;
    return touched;
  }
  return undefined;
}

/** The node list in its old order, each replaced node giving way to its replacement, removed ones gone. */
function commit(graph: Graph, edits: Edits): void {
  const nodes: Node[] = [];
  const emit = (n: Node): void => {
    const r = edits.replaced.get(n);
    if (r) for (const x of r) emit(x);
    else if (!edits.removed.has(n)) nodes.push(n);
  };
  for (const n of graph.nodes) emit(n);
  graph.nodes = nodes;
  if (edits.initializers.length) graph.initializers = [...graph.initializers, ...edits.initializers];
  const dropped = edits.droppedValueInfo;
  if (dropped.size) graph.valueInfo = graph.valueInfo.filter((vi) => !dropped.has(vi.name));
}
