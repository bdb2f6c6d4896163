/**
 * passes.json: per pass, whether it changed the model, nodes before/after (bodies included) and milliseconds,
 * summed over rounds.
 */
import type { Model } from '../../onnx/ir.js';
import type { PassRun, PassStep } from '../../onnx/rewrite/pass-manager.js';
import { allGraphs, countNodes } from '../../onnx/rewrite/subgraphs.js';

export interface PassSummary {
  pass: string;
  changed: boolean;
  /** Nodes before the pass's first application and after its last. */
  nodesBefore: number;
  nodesAfter: number;
  ms: number;
  applications: number;
  /** Rule passes: applications per rule over all rounds, and the first reason each declining rule gave. */
  fired?: Record<string, number>;
  declined?: Record<string, string>;
}

/** Operator counts over every graph, If/Loop/Scan bodies included. */
const opCounts = (m: Model): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const g of allGraphs(m.graph)) for (const n of g.nodes) counts[n.opType] = (counts[n.opType] ?? 0) + 1;
  return counts;
};

export function summarize<C>(original: Model, run: PassRun, check: C) {
  const byPass = new Map<string, PassStep[]>();
  for (const s of run.steps) byPass.set(s.pass, [...(byPass.get(s.pass) ?? []), s]);
  const passes: PassSummary[] = [...byPass].map(([pass, steps]) => ({
    pass,
    changed: steps.some((s) => s.changed),
    nodesBefore: steps[0]?.nodesBefore ?? 0,
    nodesAfter: steps[steps.length - 1]?.nodesAfter ?? 0,
    ms: steps.reduce((a, s) => a + s.ms, 0),
    applications: steps.length,
    ...ruleTotals(steps),
  }));
  return {
    passes,
    rounds: run.rounds,
    totalMs: run.steps.reduce((a, s) => a + s.ms, 0),
    nodes: { before: countNodes(original.graph), after: countNodes(run.model.graph) },
    ops: { before: opCounts(original), after: opCounts(run.model) },
    steps: run.steps.map(({ rules: _rules, ...step }) => step),
    check,
  };
}

function ruleTotals(steps: readonly PassStep[]): Pick<PassSummary, 'fired' | 'declined'> {
  if (!steps.some((s) => s.rules)) return {};
  const fired: Record<string, number> = {};
  const declined: Record<string, string> = {};
  for (const s of steps) {
    for (const [r, n] of Object.entries(s.rules?.fired ?? {})) fired[r] = (fired[r] ?? 0) + n;
    for (const [r, why] of Object.entries(s.rules?.declined ?? {})) declined[r] ??= why;
  }
  return { fired, declined };
}
