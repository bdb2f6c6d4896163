/** The end-of-run lines: counts, and plainly what was skipped or failed and why. */
import type { Logger } from './log.js';
import type { Outcome, PlanOutcome } from './runner.js';

/** Outcomes by status; a stage that does not apply to the config is not counted. */
const counter = (outcomes: readonly Outcome[]) => (s: Outcome['status']) =>
  outcomes.filter((o) => o.status === s && !o.inapplicable).length;

export function logSummary(log: Logger, outcomes: readonly Outcome[], ms: number): void {
  const count = counter(outcomes);
  const counts = {
    built: count('built'),
    cached: count('cached'),
    skipped: count('skipped'),
    failed: count('failed'),
    interrupted: count('interrupted'),
  };
  const remote = outcomes.filter((o) => o.from === 'remote').length;
  const fromRemote = remote ? ` (${remote} from the remote cache)` : '';
  const stopped = counts.interrupted ? `, ${counts.interrupted} interrupted` : '';
  log.info(
    { summary: counts, ms: Math.round(ms) },
    `${counts.built} built, ${counts.cached} cached${fromRemote}, ${counts.skipped} skipped, ${counts.failed} failed${stopped}`,
  );
  // Skips were said once as they happened; failures are repeated here, where a long run ends.
  for (const o of outcomes) {
    if (o.status === 'failed')
      log.error(
        { stage: o.stage, status: 'failed', ...(o.failure?.details ? { details: o.failure.details } : {}) },
        o.reason ?? '',
      );
  }
}

/** `--json`'s stdout: the run summary and each stage's result. */
export function runJson(command: string, config: string, exitCode: number, outcomes: readonly Outcome[], ms: number) {
  const count = counter(outcomes);
  return {
    command,
    config,
    exitCode,
    ms: Math.round(ms),
    summary: {
      built: count('built'),
      cached: count('cached'),
      skipped: count('skipped'),
      failed: count('failed'),
      ...(count('interrupted') ? { interrupted: count('interrupted') } : {}),
    },
    stages: outcomes.map((o) => ({
      stage: o.stage,
      status: o.status,
      ...(o.key ? { key: o.key } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.cause ? { cause: o.cause } : {}),
      ...(o.inapplicable ? { inapplicable: true } : {}),
      ...(o.failure?.details ? { details: o.failure.details } : {}),
      ms: Math.round(o.ms * 10) / 10,
      outputs: Object.fromEntries(
        Object.entries(o.outputs).map(([label, { file, sha256, size }]) => [label, { file, sha256, size }]),
      ),
    })),
  };
}

/** `plan` as a table on stdout. */
export function planTable(plan: readonly PlanOutcome[]): string {
  const width = Math.max(5, ...plan.map((p) => p.stage.length));
  const lines = [`${'stage'.padEnd(width)}  ${'plan'.padEnd(10)}  ${'key'.padEnd(12)}  why`];
  for (const p of plan) {
    const reasons = [p.reason, ...(p.status === 'miss' ? (p.explain ?? []) : [])].filter(Boolean).join('; ');
    const why = p.status === 'hit' ? '' : p.status === 'remote-hit' ? 'in the remote cache' : reasons;
    lines.push(`${p.stage.padEnd(width)}  ${p.status.padEnd(10)}  ${(p.key?.slice(0, 12) ?? '-').padEnd(12)}  ${why}`);
  }
  return `${lines.join('\n')}\n`;
}
