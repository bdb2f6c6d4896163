/**
 * The only pino import. JSON lines on stderr when stderr is not a terminal or with `--json`; on a terminal the
 * same records go through a concise one-line formatter (no worker thread, so startup stays fast).
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'fatal' };
const SKIP = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'stage', 'status', 'ms', 'summary']);

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
    else parts.push(k.dim(`${key}=${typeof v === 'string' ? v : typeof v === 'number' && !Number.isInteger(v) ? String(Number(v.toPrecision(3))) : JSON.stringify(v)}`));
  }
  return `${parts.join(' ').replaceAll(' \n', '\n')}\n`;
}

export const formatMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 1 : 0)} ms`);

export interface LogOptions {
  json?: boolean;
  level?: string;
  /** Terminal lines carry the full reason of a skip, not only its short form. */
  verbose?: boolean;
  /** Where lines go; stderr by default, so stdout carries only command output (plan, cache ls). */
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createLogger(options: LogOptions = {}): Logger {
  const stream = options.stream ?? process.stderr;
  const json = options.json ?? !stream.isTTY;
  const base = { base: undefined, level: options.level ?? 'info' };
  if (json) return pino({ ...base, timestamp: pino.stdTimeFunctions.isoTime }, stream === process.stdout || stream === process.stderr ? pino.destination({ fd: stream === process.stdout ? 1 : 2, sync: true }) : stream);
  const useColor = !process.env['NO_COLOR'];
  return pino({ ...base, timestamp: false }, {
    write(line: string) {
      stream.write(formatLine(JSON.parse(line) as Record<string, unknown>, useColor, options.verbose));
    },
  });
}
