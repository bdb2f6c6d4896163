/**
 * The only pino import. JSON lines on stderr when stderr is not a terminal or with `--json`; on a terminal the
 * same records go through a concise one-line formatter (no worker thread, so startup stays fast).
 *
 * A record with `live: true` (pipeline/progress.ts) says what a running stage is doing now. On a terminal it
 * is the status line under the log, redrawn in place and cleared before every other line; as JSON it is
 * written only when nothing else was for HEARTBEAT_MS, so CI logs get a heartbeat, not a flood.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'stage', 'status', 'ms', 'summary']);
/** Silence after which a live record is written off a terminal; with the board's 1 s tick no run is silent 10 s. */
export const HEARTBEAT_MS = 7000;

function color(on: boolean) {
  const c = (code: number) => (s: string) => (on ? `\x1b[${code}m${s}\x1b[0m` : s);
  return { dim: c(2), red: c(31), green: c(32), yellow: c(33), cyan: c(36) };
}

/** One record as a human line: `[stage] status message (12 ms) key=value`. */
export function formatLine(record: Record<string, unknown>, useColor: boolean, verbose = false): string {
  const k = color(useColor);
  const level = LEVELS[record['level'] as number] ?? 'info';
  const parts: string[] = [];
  if (level === 'error' || level === 'fatal') parts.push(k.red('error'));
  else if (level === 'warn') parts.push(k.yellow('warn'));
  if (record['stage']) parts.push(k.cyan(`[${String(record['stage'])}]`));
  const status = record['status'];
  if (typeof status === 'string') {
    const paint = status === 'failed' ? k.red : status === 'skipped' ? k.yellow : status === 'built' ? k.green : k.dim;
    parts.push(paint(status));
  }
  if (record['msg']) parts.push(String(record['msg']));
  if (typeof record['ms'] === 'number') parts.push(k.dim(`(${formatMs(record['ms'])})`));
  // A skip's full reason is in the manifest; the terminal line carries its short form unless asked.
  const extra = Object.entries(record).filter(([key]) => !SKIP.has(key) && (key !== 'reason' || verbose));
  for (const [key, v] of extra) {
    if (key === 'details' && Array.isArray(v)) parts.push(`\n${v.map((l) => `    ${String(l)}`).join('\n')}`);
    else if (key === 'reason' && typeof v === 'string') parts.push(`\n    ${v}`);
    else if (key === 'explain' && Array.isArray(v)) parts.push(`\n${v.map((l) => `    ${String(l)}`).join('\n')}`);
    else
      parts.push(
        k.dim(
          `${key}=${typeof v === 'string' ? v : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(3))) : JSON.stringify(v)}`,
        ),
      );
  }
  return `${parts.join(' ').replaceAll(' \n', '\n')}\n`;
}

export const formatMs = (ms: number): string =>
  ms >= 10_000
    ? `${(ms / 1000).toFixed(1)} s`
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`;

export interface LogOptions {
  json?: boolean;
  level?: string;
  /** Terminal lines carry the full reason of a skip, not only its short form. */
  verbose?: boolean;
  /** Where lines go; stderr by default, so stdout carries only command output (plan, cache ls). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
  /** Silence after which a live record is written as JSON (tests shorten it). */
  heartbeatMs?: number;
}

const isLive = (o: unknown): boolean => typeof o === 'object' && o !== null && (o as { live?: unknown }).live === true;

/** Drops a live record unless the log has been silent for HEARTBEAT_MS. */
function heartbeatOnly(heartbeatMs: number) {
  let last = performance.now();
  return {
    logMethod(this: Logger, args: Parameters<Logger['info']>, method: (...a: unknown[]) => void) {
      const t = performance.now();
      if (isLive(args[0]) && t - last < heartbeatMs) return;
      last = t;
      method.apply(this, args);
    },
  };
}

/** The terminal writer: log lines scroll, the live status line stays under them. */
export function terminalWriter(
  stream: NodeJS.WritableStream & { columns?: number },
  useColor: boolean,
  verbose?: boolean,
) {
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
  return (record: Record<string, unknown>) => {
    const stage = String(record['stage'] ?? '');
    clear();
    if (record['live'] === true) live.set(stage, String(record['msg'] ?? ''));
    else {
      const status = record['status'];
      if (typeof status === 'string' && status !== 'running') live.delete(stage);
      stream.write(formatLine(record, useColor, verbose));
    }
    draw();
  };
}

export function createLogger(options: LogOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const json = options.json ?? !stream.isTTY;
  const base = { base: undefined, level: options.level ?? 'info' };
  if (json) {
    const dest =
      stream === process.stdout || stream === process.stderr
        ? pino.destination({ fd: stream === process.stdout ? 1 : 2, sync: true })
        : stream;
    const hooks = heartbeatOnly(options.heartbeatMs ?? HEARTBEAT_MS);
    return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime, hooks }, dest);
  }
  const write = terminalWriter(stream, !process.env['NO_COLOR'], options.verbose);
  return pino(
    { ...base, timestamp: false },
    {
      write(line: string) {
        write(JSON.parse(line) as Record<string, unknown>);
      },
    },
  );
}
