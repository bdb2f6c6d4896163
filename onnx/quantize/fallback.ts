/**
 * Accuracy control: when the quantized model misses its budget, the layers that hurt most go back to float
 * one at a time until it holds. Sensitivity is measured, not guessed: for each quantized node, the error of
 * the model with only that node kept float; the node whose release lowers the error most goes first, then the
 * remaining ones are ranked again from the new model (what one layer costs depends on the others).
 */

/** The error of the model quantized with `keepFloat` left float (NaN or a string when it cannot run). */
export type Measure = (keepFloat: ReadonlySet<string>) => Promise<number | string>;

/** One node sent back to float. */
export interface FallbackStep {
  /** Its key (nodeKey): what `keep_float` names. */
  node: string;
  /** The error after this node went back to float (the ones before it stay float). */
  error: number;
}

/** The search's result: which nodes went back to float, and whether the budget holds. */
export interface Fallback {
  /** Nodes kept float, in the order they went back. */
  steps: FallbackStep[];
  /** The error with every step applied. */
  error: number;
  /** The error is within the budget; false when `maxSteps` ran out first. */
  holds: boolean;
  /** Model evaluations spent on the search. */
  evaluations: number;
}

/**
 * From the error with nothing kept float (`start`), releases nodes of `candidates` until `error <= budget`,
 * at most `maxSteps` of them; each step ranks the remaining candidates by measuring each.
 */
export async function restoreUntil(
  candidates: readonly string[],
  start: number,
  budget: number,
  maxSteps: number,
  measure: Measure,
): Promise<Fallback> {
  const kept = new Set<string>();
  const steps: FallbackStep[] = [];
  let error = start;
  let evaluations = 0;
  // A coarse first ranking (one evaluation per candidate), then at each step the best few are re-measured.
  let ranked = await rank(candidates, kept, measure);
  evaluations += candidates.length;
  while (!(error <= budget) && steps.length < maxSteps && ranked.length > 0) {
    const best = ranked[0] as { node: string; error: number };
    kept.add(best.node);
    error = best.error;
    steps.push({ node: best.node, error });
    const next = ranked.slice(1, 1 + RERANK).map((r) => r.node);
    const reranked = await rank(next, kept, measure);
    evaluations += next.length;
    ranked = [...reranked, ...ranked.slice(1 + RERANK)];
  }
  return { steps, error, holds: error <= budget, evaluations };
}

/** How many of the next-best candidates are re-measured after each step. */
const RERANK = 8;

async function rank(
  nodes: readonly string[],
  kept: ReadonlySet<string>,
  measure: Measure,
): Promise<Array<{ node: string; error: number }>> {
  const out: Array<{ node: string; error: number }> = [];
  for (const node of nodes) {
    const e = await measure(new Set([...kept, node]));
    if (typeof e === 'number' && !Number.isNaN(e)) out.push({ node, error: e });
  }
  return out.sort((a, b) => a.error - b.error);
}
