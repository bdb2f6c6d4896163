/**
 * What `--json` says of each stage's result beyond its files: a stage that declares `summary` reads it from its
 * outputs where `latest` shows them (the benchmark's verdict from bench.json), so a cached or reused result
 * says it too. A summary that cannot be read is left out, never an error: the files are the record.
 */
import { join } from 'node:path';
import type { AnyStage } from '../plan/graph.js';
import type { Outcome } from '../execute/outcome.js';

export async function stageSummaries(
  stages: readonly AnyStage[],
  outcomes: readonly Outcome[],
  latestDir: string,
): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (const o of outcomes) {
    const summary = stages.find((s) => s.name === o.stage)?.summary;
    if (!summary || (o.status !== 'built' && o.status !== 'cached')) continue;
    const files = Object.fromEntries(Object.entries(o.outputs).map(([label, e]) => [label, join(latestDir, e.file)]));
    try {
      const value = await summary(files);
      if (value !== undefined) out.set(o.stage, value);
    } catch {
      continue;
    }
  }
  return out;
}
