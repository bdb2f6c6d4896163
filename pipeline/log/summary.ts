/** The end-of-run lines: counts, and plainly what was skipped or failed and why. */
import type { Counts } from './events.js';
import type { Logger } from './log.js';
import type { Outcome, Status } from '../execute/outcome.js';
import type { PlanOutcome } from '../plan/plan.js';
import { unreachable } from '../unreachable.js';

/** Outcomes by status; a stage that does not apply to the config is not counted. */
function counts(outcomes: readonly Outcome[]): Counts {
  const count = (s: Status) => outcomes.filter((o) => o.status === s && o.cause !== 'inapplicable').length;
  return {
    built: count('built'),
    cached: count('cached'),
    skipped: count('skipped'),
    failed: count('failed'),
    interrupted: count('interrupted'),
  };
}

export function logSummary(log: Logger, outcomes: readonly Outcome[], ms: number): void {
  const fromRemote = outcomes.filter((o) => o.from === 'remote').length;
  // Skips were said once as they happened; failures are repeated here, where a long run ends.
  const failures = outcomes
    .filter((o) => o.status === 'failed')
    .map((o) => ({
      stage: o.stage,
      message: o.message ?? '',
      details: o.failure?.details,
    }));
  log.emit({ kind: 'summary', counts: counts(outcomes), fromRemote, ms, failures });
}

/** `--json`'s stdout: the run summary and each stage's result. */
export function runJson(
  command: string,
  config: string,
  exitCode: number,
  outcomes: readonly Outcome[],
  ms: number,
  summaries: ReadonlyMap<string, unknown> = new Map(),
  subject?: Readonly<Record<string, string>>,
) {
  const { interrupted, ...summary } = counts(outcomes);
  return {
    command,
    config,
    model: subject,
    exitCode,
    ms: Math.round(ms),
    summary: { ...summary, interrupted: interrupted || undefined },
    stages: outcomes.map((o) => ({
      stage: o.stage,
      status: o.status,
      key: o.key,
      reason: o.message || undefined,
      cause: o.cause,
      inapplicable: o.cause === 'inapplicable' || undefined,
      details: o.failure?.details,
      summary: summaries.get(o.stage),
      ms: Math.round(o.ms * 10) / 10,
      outputs: Object.fromEntries(
        Object.entries(o.outputs).map(([label, { file, sha256, size }]) => [label, { file, sha256, size }]),
      ),
    })),
  };
}

/** What the `why` column says of a planned stage. */
function why(p: PlanOutcome): string {
  switch (p.status) {
    case 'hit':
      return '';
    case 'remote-hit':
      return 'in the remote cache';
    case 'miss':
      return [p.reason, ...(p.explain ?? [])].filter(Boolean).join('; ');
    case 'pending':
    case 'skipped':
      return p.reason ?? '';
    default:
      return unreachable(p.status);
  }
}

/** `plan` as a table on stdout. */
export function planTable(plan: readonly PlanOutcome[]): string {
  const width = Math.max(5, ...plan.map((p) => p.stage.length));
  const lines = [`${'stage'.padEnd(width)}  ${'plan'.padEnd(10)}  ${'key'.padEnd(12)}  why`];
  for (const p of plan) {
    lines.push(
      `${p.stage.padEnd(width)}  ${p.status.padEnd(10)}  ${(p.key?.slice(0, 12) ?? '-').padEnd(12)}  ${why(p)}`,
    );
  }
  return `${lines.join('\n')}\n`;
}
