/** The report's opening: the verdict in one sentence per batch size (measure/verdict.ts), then its rule. */
import type { BenchFile } from '../../measure/result.js';

export function verdictLines(bench: BenchFile): string[] {
  const r = bench.recommendation;
  if (!r) return ['No verdict: this bench.json was written before the benchmark recorded one; run `bench` again.'];
  if (r.batches.length === 0) return ['No verdict: nothing was measured.'];
  return [...r.batches.map((b) => b.sentence), `How: ${r.rule}`];
}
