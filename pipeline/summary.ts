/** The end-of-run lines: counts, and plainly what was skipped or failed and why. */
import type { Logger } from './log.js';
import type { Outcome, PlanOutcome } from './runner.js';

export function logSummary(log: Logger, outcomes: readonly Outcome[], ms: number): void {
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  const counts = { built: count('built'), cached: count('cached'), skipped: count('skipped'), failed: count('failed') };
  log.info({ summary: counts, ms: Math.round(ms) }, `${counts.built} built, ${counts.cached} cached, ${counts.skipped} skipped, ${counts.failed} failed`);
  // Skips were said once as they happened; failures are repeated here, where a long run ends.
  for (const o of outcomes) {
    if (o.status === 'failed') log.error({ stage: o.stage, status: 'failed', ...(o.failure?.details ? { details: o.failure.details } : {}) }, o.reason ?? '');
  }
}

/** `--json`'s stdout: the run summary and each stage's result. */
export function runJson(command: string, config: string, exitCode: number, outcomes: readonly Outcome[], ms: number) {
  const count = (s: Outcome['status']) => outcomes.filter((o) => o.status === s).length;
  return {
    command,
    config,
    exitCode,
    ms: Math.round(ms),
    summary: { built: count('built'), cached: count('cached'), skipped: count('skipped'), failed: count('failed') },
    stages: outcomes.map((o) => ({
      stage: o.stage,
      status: o.status,
      ...(o.key ? { key: o.key } : {}),
      ...(o.reason ? { reason: o.reason } : {}),
      ...(o.failure?.details ? { details: o.failure.details } : {}),
      ms: Math.round(o.ms * 10) / 10,
      outputs: Object.fromEntries(Object.entries(o.outputs).map(([label, out]) => [label, { file: out.file, sha256: out.sha256, size: out.size }])),
    })),
  };
}

/** `plan` as a table on stdout. */
export function planTable(plan: readonly PlanOutcome[]): string {
  const width = Math.max(5, ...plan.map((p) => p.stage.length));
  const lines = [`${'stage'.padEnd(width)}  ${'plan'.padEnd(7)}  ${'key'.padEnd(12)}  why`];
  for (const p of plan) {
    const why = p.status === 'hit' ? '' : [p.reason, ...(p.status === 'miss' ? (p.explain ?? []) : [])].filter(Boolean).join('; ');
    lines.push(`${p.stage.padEnd(width)}  ${p.status.padEnd(7)}  ${(p.key?.slice(0, 12) ?? '-').padEnd(12)}  ${why}`);
  }
  return `${lines.join('\n')}\n`;
}

