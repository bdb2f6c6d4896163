/**
 * Stops: SIGINT and SIGTERM abort the run's signal. The runner checks it between stages and hands it to every
 * stage (and through `ctx.exec` to every child process); a stage that has not returned `STOP_GRACE_MS` after
 * the abort is abandoned, nothing of it is stored, and the process exits 130 (SIGINT) or 143 (SIGTERM) even if
 * abandoned work still holds the event loop.
 */

/** How long a stage gets to return after an abort before the runner stops waiting for it. */
export const STOP_GRACE_MS = 500;

const CODES: Record<string, number> = { SIGINT: 130, SIGTERM: 143 };

/** The signal's name when `signal` was aborted by one, e.g. `SIGINT`. */
export const interruptedBy = (signal: AbortSignal): string | undefined =>
  signal.aborted ? (typeof signal.reason === 'string' && signal.reason in CODES ? signal.reason : 'SIGINT') : undefined;

export const exitCodeFor = (name: string): number => CODES[name] ?? 130;

/** Work that ended in time, with its value, or was given up on after a stop. */
export type Settled<T> =
  | {
      settled: true;
      /** What the work resolved to. */
      value: T;
    }
  | { settled: false };

/** `work`'s value, or `settled: false` once `signal` has been aborted for `STOP_GRACE_MS` without it. */
export async function settleOrAbandon<T>(work: Promise<T>, signal: AbortSignal): Promise<Settled<T>> {
  // The abandoned work may still fail later; that is no longer anyone's concern.
  work.catch(() => undefined);
  let timer: NodeJS.Timeout | undefined;
  let onAbort = () => {};
  const abandoned = new Promise<Settled<T>>((resolve) => {
    onAbort = () => {
      timer = setTimeout(() => resolve({ settled: false }), STOP_GRACE_MS);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work.then((value) => ({ settled: true as const, value })), abandoned]);
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (timer) clearTimeout(timer);
  }
}

/**
 * Traps SIGINT and SIGTERM for the span of a run: the returned controller is aborted with the signal's name.
 * `release` restores the default handling; a second signal during the stop exits at once.
 */
export function trapSignals(): { controller: AbortController; release(): void } {
  const controller = new AbortController();
  const on = (name: 'SIGINT' | 'SIGTERM') => () => {
    if (controller.signal.aborted) process.exit(exitCodeFor(name));
    controller.abort(name);
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    controller,
    release() {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

/**
 * After an interrupted run has written what it must: exits with the signal's code, even if an abandoned stage
 * still holds the event loop (a timer that does not itself keep the process alive).
 */
export function exitSoon(code: number): void {
  setTimeout(() => process.exit(code), 50).unref();
}
