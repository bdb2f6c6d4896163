/**
 * What every running stage is doing, said while it does it. Each running stage has one line of state: the
 * step it last reported (`ctx.log.progress`) and for how long the stage has run. The board emits it as a
 * `progress` event when a stage reports and once a second while any stage runs; the logger decides what it
 * becomes: on a terminal the one status line it redraws in place, elsewhere a heartbeat line written
 * only after a stretch of silence (log.ts). So a stage that never reports still says that it is running.
 */
import type { Logger } from './log.js';
import { formatMs } from './log.js';

/** A stage's report of where it is (`ctx.log.progress`): `done/total`, what it is on, and its times. */
export interface ProgressUpdate {
  /** Steps finished. */
  done: number;
  /** Steps in all (a loop's runs, passes, engines); 0 when unknown, and no count is shown. */
  total: number;
  /** What it is doing (`ort fp32 batch 8 timed`), shown before the count. */
  what?: string;
  /** How long the current step has run, when the stage knows; the line's clock runs on between reports. */
  elapsedMs?: number;
  /** How long the current step is expected to take in all, shown as `of ~7 s`. */
  estimateMs?: number;
}

interface Activity {
  started: number;
  update?: ProgressUpdate;
  updatedAt?: number;
}

const TICK_MS = 1000;

/** `ort fp32 batch 8 · 45/100 · 3.2 s of ~7.0 s · stage 12 s` */
export function describe(u: ProgressUpdate | undefined, stageMs: number, sinceUpdateMs = 0): string {
  if (!u) return `running · ${formatMs(stageMs)}`;
  const parts = [u.what ?? 'working'];
  if (u.total > 0) parts.push(`${u.done}/${u.total}`);
  if (u.elapsedMs !== undefined) {
    // Between reports the step's clock keeps running.
    const step = u.elapsedMs + sinceUpdateMs;
    parts.push(
      `${formatMs(step)}${u.estimateMs !== undefined ? ` of ~${formatMs(Math.max(u.estimateMs, step))}` : ''}`,
    );
  }
  parts.push(`stage ${formatMs(stageMs)}`);
  return parts.join(' · ');
}

export class ProgressBoard {
  private readonly active = new Map<string, Activity>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly log: Logger) {}

  start(stage: string): void {
    this.active.set(stage, { started: performance.now() });
    this.timer ??= setInterval(() => this.tick(), TICK_MS);
    // A run that has finished must not be held open by the heartbeat.
    this.timer.unref?.();
  }

  update(stage: string, update: ProgressUpdate): void {
    const a = this.active.get(stage);
    if (!a) return;
    a.update = update;
    a.updatedAt = performance.now();
    this.emit(stage, a);
  }

  end(stage: string): void {
    this.active.delete(stage);
    if (this.active.size === 0 && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private tick(): void {
    for (const [stage, a] of this.active) this.emit(stage, a);
  }

  private emit(stage: string, a: Activity): void {
    const now = performance.now();
    const ms = now - a.started;
    const text = describe(a.update, ms, now - (a.updatedAt ?? now));
    this.log.emit({ kind: 'progress', stage, text, elapsedMs: Math.round(ms) });
  }
}
