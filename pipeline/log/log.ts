/**
 * The logger says events (pipeline/log/events.ts), as the lines pipeline/log/render.ts makes of them: a concise human
 * line, on a terminal or not (no worker thread, so startup stays fast); JSON records (the only pino import) only
 * when asked: `--log-format json`, `--json` or ENGINEFOUNDRY_LOG_FORMAT=json (docs/cli.md has the record schema).
 *
 * A `progress` event says what a running stage is doing now. On a terminal it is the status line under the
 * log, redrawn in place and cleared before every other line; off a terminal (a CI log, a pipe) and as JSON it is
 * written as a line only when nothing else was for HEARTBEAT_MS, so CI logs get a heartbeat, not a flood.
 */
import { pino } from 'pino';
import type { Event } from './events.js';
import { linesOf, type Level, type Line, type LineStatus } from './render.js';
import { unreachable } from '../unreachable.js';

/** Where a run's events go: rendered as human lines or JSON records (createLogger). */
export interface Logger {
  /** Says one event, at the level its lines carry. */
  emit(event: Event): void;
  /** A warning that is no stage's event (the CLI's own, e.g. a remote cache it cannot use). */
  warn(message: string): void;
  /** A warning about a stage (a store problem met while looking its key up). */
  warn(
    where: {
      /** The stage the warning is shown under, if any. */
      stage?: string;
    },
    message: string,
  ): void;
}

const RANK: Readonly<Record<string, number>> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
/** Silence after which a live record is written off a terminal; with the board's 1 s tick no run is silent 10 s. */
export const HEARTBEAT_MS = 7000;

function color(on: boolean) {
  const c = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { dim: c(2), red: c(31), green: c(32), yellow: c(33), cyan: c(36) };
}

export const formatMs = (ms: number): string =>
  ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

const fieldText = (v: unknown): string =>
  typeof v === 'string'
    ? v
    : typeof v === 'number' && !Number.isInteger(v)
      ? String(Number(v.toPrecision(3)))
      : JSON.stringify(v);

const indented = (lines: readonly string[]) => `\n${lines.map((l) => `    ${l}`).join('\n')}`;

/** One line as a person reads it: `[stage] status message (12 ms) key=value`, supporting lines under it. */
export function formatLine(line: Line, useColor: boolean, verbose = false): string {
  const k = color(useColor);
  const paint = (s: LineStatus) => {
    switch (s) {
      case 'failed':
        return k.red(s);
      case 'skipped':
        return k.yellow(s);
      case 'built':
        return k.green(s);
      case 'planned':
      case 'waiting':
      case 'running':
      case 'cached':
      case 'interrupted':
        return k.dim(s);
      default:
        return unreachable(s);
    }
  };
  const parts: string[] = [];
  if (line.level === 'error') parts.push(k.red('error'));
  else if (line.level === 'warn') parts.push(k.yellow('warn'));
  if (line.stage) parts.push(k.cyan(`[${line.stage}]`));
  if (line.status) parts.push(paint(line.status));
  if (line.msg) parts.push(line.msg);
  if (line.ms !== undefined) parts.push(k.dim(`(${formatMs(line.ms)})`));
  for (const [key, v] of Object.entries(line.fields ?? {})) parts.push(k.dim(`${key}=${fieldText(v)}`));
  // A skip's full message is in the manifest; the terminal line carries its short form unless asked.
  if (line.reason && verbose) parts.push(indented([line.reason]));
  if (line.details) parts.push(indented(line.details));
  if (line.explain) parts.push(indented(line.explain));
  return `${parts.join(' ').replaceAll(' \n', '\n')}\n`;
}

/** The stage whose live line an event ends: a stage that has finished leaves no status line. */
function ends(e: Event): string | undefined {
  switch (e.kind) {
    case 'hit':
    case 'built':
    case 'declined':
    case 'skipped':
    case 'failed':
    case 'interrupted':
      return e.stage;
    case 'planned':
    case 'waiting':
    case 'started':
    case 'progress':
    case 'note':
    case 'summary':
      return undefined;
    default:
      return unreachable(e);
  }
}

type Stream = NodeJS.WritableStream & { isTTY?: boolean; columns?: number };

/** The terminal writer: log lines scroll, the live status line stays under them. */
export function terminalWriter(stream: Stream, useColor: boolean, verbose?: boolean, level: Level = 'info') {
  const live = new Map<string, string>();
  let shown = false;
  const clear = () => {
    if (shown) stream.write('\r\x1b[K');
    shown = false;
  };
  const draw = () => {
    if (live.size === 0) return;
    const width = Math.max(20, (stream.columns || 120) - 1);
    const text = [...live].map(([stage, what]) => `[${stage}] ${what}`).join('  |  ');
    stream.write(color(useColor).dim(text.length > width ? `${text.slice(0, width - 1)}…` : text));
    shown = true;
  };
  return (e: Event) => {
    const lines = linesOf(e).filter((l) => RANK[l.level]! >= RANK[level]!);
    if (lines.length === 0) return;
    clear();
    if (e.kind === 'progress') live.set(e.stage, e.text);
    else {
      const done = ends(e);
      if (done !== undefined) live.delete(done);
      for (const l of lines) stream.write(formatLine(l, useColor, verbose));
    }
    draw();
  };
}

/** Human lines where no terminal redraws a live line (a pipe, a CI log): a heartbeat line after a silence. */
export function plainWriter(stream: Stream, verbose?: boolean, level: Level = 'info', heartbeatMs = HEARTBEAT_MS) {
  let last = performance.now();
  return (e: Event) => {
    const t = performance.now();
    for (const l of linesOf(e).filter((x) => RANK[x.level]! >= RANK[level]!)) {
      if (l.liveMs !== undefined && t - last < heartbeatMs) continue;
      last = t;
      stream.write(formatLine(l, false, verbose));
    }
  };
}

/** A line as a JSON record's fields (pino adds level, time and msg). */
function record(l: Line, event: Event['kind']): Record<string, unknown> {
  const fields = {
    event,
    stage: l.stage,
    status: l.status,
    ms: l.ms,
    reason: l.reason,
    details: l.details,
    explain: l.explain,
    ...(l.liveMs !== undefined ? { live: true, elapsedMs: l.liveMs } : {}),
    summary: l.summary,
    ...l.fields,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** Drops a live record unless the log has been silent for `heartbeatMs`. */
function heartbeatOnly(heartbeatMs: number) {
  let last = performance.now();
  return {
    logMethod(this: pino.Logger, args: Parameters<pino.LogFn>, method: (...a: unknown[]) => void) {
      const t = performance.now();
      const live = typeof args[0] === 'object' && (args[0] as { live?: unknown } | null)?.live === true;
      if (live && t - last < heartbeatMs) return;
      last = t;
      method.apply(this, args);
    },
  };
}

function jsonWriter(stream: Stream, level: Level, heartbeatMs: number) {
  const dest =
    stream === process.stdout || stream === process.stderr
      ? pino.destination({ fd: stream === process.stdout ? 1 : 2, sync: true })
      : stream;
  const hooks = heartbeatOnly(heartbeatMs);
  const log = pino({ base: undefined, level, timestamp: pino.stdTimeFunctions.isoTime, hooks }, dest);
  return (e: Event) => {
    for (const l of linesOf(e)) log[l.level](record(l, e.kind), l.msg);
  };
}

/** How the log is written: lines a person reads, or JSON records for a program. */
export type LogFormat = 'human' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['human', 'json'];
/** The environment variable that asks for a log format when the command line does not. */
export const LOG_FORMAT_ENV = 'ENGINEFOUNDRY_LOG_FORMAT';

/** The format asked for: the option, else the environment variable; an unknown value is a usage error. */
export function logFormat(option: string | undefined, env = process.env[LOG_FORMAT_ENV]): LogFormat | string {
  const given = option ?? (env === '' ? undefined : env);
  if (given === undefined) return 'human';
  if ((LOG_FORMATS as readonly string[]).includes(given)) return given as LogFormat;
  const from = option !== undefined ? '--log-format' : LOG_FORMAT_ENV;
  return `${from} ${given}: not a log format; use ${LOG_FORMATS.join(' or ')}`;
}

/** How a logger writes; the defaults suit a person at a terminal. */
export interface LogOptions {
  /** JSON records instead of human lines. */
  json?: boolean;
  /** Lines below it are not written (`info` by default: the `planned` lines are debug). */
  level?: Level;
  /** Terminal lines carry the full message of a skip, not only its short form. */
  verbose?: boolean;
  /** Where lines go; stderr by default, so stdout carries only command output (plan, cache ls). */
  stream?: Stream;
  /** Silence after which a live record is written as JSON (tests shorten it). */
  heartbeatMs?: number;
}

export function createLogger(options: LogOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const level = options.level ?? 'info';
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const emit = options.json
    ? jsonWriter(stream, level, heartbeatMs)
    : stream.isTTY
      ? terminalWriter(stream, !process.env['NO_COLOR'], options.verbose, level)
      : plainWriter(stream, options.verbose, level, heartbeatMs);
  return {
    emit,
    warn(where: string | { stage?: string }, message?: string) {
      const stage = typeof where === 'string' ? undefined : where.stage;
      const said = typeof where === 'string' ? where : (message ?? '');
      emit({ kind: 'note', level: 'warn', stage, message: said });
    },
  };
}
