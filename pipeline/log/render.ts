/**
 * An event as log lines: the fields a line shows, the same for a JSON record and a terminal line
 * (pipeline/log/log.ts writes them). A skip's `msg` is the short form of its message; the full one travels
 * beside it as `reason`, the field name JSON records have always had.
 */
import type { Counts, Event } from './events.js';
import { unreachable } from '../unreachable.js';
import { shortMessage } from '../execute/user-paths.js';

/** A line's level: its colour on a terminal, pino's level in JSON, and what the log's level filters. */
export type Level = 'debug' | 'info' | 'warn' | 'error';

/** The word a stage's line carries after its name. */
export type LineStatus = 'planned' | 'waiting' | 'running' | 'cached' | 'built' | 'skipped' | 'failed' | 'interrupted';

/** One line of the log, before it is written as text or as a JSON record. */
export interface Line {
  /** Warnings and errors are marked as such on a terminal; the log's level leaves out the lines below it. */
  level: Level;
  /** The line's text (a JSON record's `msg`). */
  msg: string;
  /** The stage it is about, shown as `[stage]`. */
  stage?: string;
  /** The word after the stage's name. */
  status?: LineStatus;
  /** How long the stage (or step) took, shown as `(12 ms)`. */
  ms?: number;
  /** A skip's full message (`msg` is its short form): in JSON always, on a terminal under `--verbose`. */
  reason?: string;
  /** Supporting lines, indented under the line. */
  details?: readonly string[];
  /** `--explain`'s lines: what changed in the key, indented under the line. */
  explain?: readonly string[];
  /** The live status line of a running stage, with how long it has run. */
  liveMs?: number;
  /** The run's counts, on the summary line (a JSON record's `summary`). */
  summary?: Counts;
  /** A stage's own fields (`ctx.log`): `key=value` on a terminal. */
  fields?: Readonly<Record<string, unknown>>;
}

const short = (key: string) => key.slice(0, 12);

function hitLine(e: Extract<Event, { kind: 'hit' }>): Line {
  const said = e.reused ? 'reusing the newest result' : e.from === 'remote' ? 'remote hit' : 'hit';
  const made = e.made ? `made ${e.made}; ` : '';
  const msg = `${said} ${short(e.key)}${e.reused ? ` (${made}its own command measures again)` : ''}`;
  return { level: 'info', stage: e.stage, status: 'cached', ms: e.ms, msg };
}

function declinedLine(e: Extract<Event, { kind: 'declined' }>): Line {
  const base = { stage: e.stage, status: 'skipped' as const };
  if (e.cached) return { ...base, level: 'info', msg: `${e.message} (hit ${short(e.key)})` };
  return { ...base, level: 'warn', msg: e.message, ms: e.ms, details: e.details };
}

function failedLine(e: Extract<Event, { kind: 'failed' }>): Line {
  const base = { level: 'error' as const, stage: e.stage, status: 'failed' as const };
  switch (e.phase) {
    case 'plan':
      return { ...base, msg: shortMessage(e.message), reason: e.message };
    case 'run':
      return { ...base, msg: e.message, ms: e.ms, details: e.details };
    default:
      return unreachable(e.phase);
  }
}

function summaryLines(e: Extract<Event, { kind: 'summary' }>): Line[] {
  const c = e.counts;
  const fromRemote = e.fromRemote ? ` (${e.fromRemote} from the remote cache)` : '';
  const stopped = c.interrupted ? `, ${c.interrupted} interrupted` : '';
  const msg = `${c.built} built, ${c.cached} cached${fromRemote}, ${c.skipped} skipped, ${c.failed} failed${stopped}`;
  return [
    { level: 'info', msg, ms: Math.round(e.ms), summary: c },
    ...e.failures.map(
      (f): Line => ({ level: 'error', stage: f.stage, status: 'failed', msg: f.message, details: f.details }),
    ),
  ];
}

export function linesOf(e: Event): Line[] {
  switch (e.kind) {
    case 'planned':
      return [
        { level: 'debug', stage: e.stage, status: 'planned', msg: `${e.decision}${e.key ? ` ${short(e.key)}` : ''}` },
      ];
    case 'waiting': {
      const who = `process ${e.pid ?? '?'}${e.host ? ` on ${e.host}` : ''}`;
      const msg = `waiting for ${who}, which is building ${short(e.key)}`;
      return [{ level: 'info', stage: e.stage, status: 'waiting', msg }];
    }
    case 'started':
      return [
        { level: 'info', stage: e.stage, status: 'running', msg: `${e.why} ${short(e.key)}`, explain: e.explain },
      ];
    case 'hit':
      return [hitLine(e)];
    case 'built':
      return [{ level: 'info', stage: e.stage, status: 'built', ms: e.ms, msg: `stored ${short(e.key)}` }];
    case 'declined':
      return [declinedLine(e)];
    case 'skipped': {
      // A stage that does not apply to this config is listed in the manifest, not announced.
      const level = e.cause === 'inapplicable' ? 'debug' : 'info';
      return [{ level, stage: e.stage, status: 'skipped', msg: shortMessage(e.message), reason: e.message }];
    }
    case 'failed':
      return [failedLine(e)];
    case 'interrupted':
      return [{ level: 'warn', stage: e.stage, status: 'interrupted', msg: e.message }];
    case 'progress':
      return [{ level: 'info', stage: e.stage, msg: e.text, liveMs: e.elapsedMs }];
    case 'note':
      return [{ level: e.level, stage: e.stage, msg: e.message, ms: e.ms, fields: e.fields }];
    case 'summary':
      return summaryLines(e);
    default:
      return unreachable(e);
  }
}
