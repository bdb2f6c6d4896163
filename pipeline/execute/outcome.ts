/**
 * What became of a stage in a run, and the one place an outcome is made: an `Attempt` follows one stage
 * through the run loop and the executor, says each event as it happens (to the logger, and into the stage's
 * own list, which the manifest records) and turns the end into an `Outcome`.
 */
import type { Event } from '../log/events.js';
import type { Logger } from '../log/log.js';
import type { Cause, StageFailure } from '../cause.js';
import { interruptedBy } from './signals.js';
import type { StoredOutput } from '../store/store.js';

/** `interrupted`: a signal stopped the run before this stage finished; nothing of it was stored. */
export type Status = 'built' | 'cached' | 'skipped' | 'failed' | 'interrupted';

/** How one stage ended: what `--json`, the summary and the manifest report of it. */
export interface Outcome {
  /** The stage's name in the registry. */
  stage: string;
  /** How it ended: what the summary counts and the exit code follows. */
  status: Status;
  /** Its key, when it got one (a hit, a build, a decline, a failure at run time). */
  key?: string;
  /** Why it did not build, as a value (pipeline/cause.ts). */
  cause?: Cause;
  /** Why it did not build, as the sentence users read (the manifest's `reason`). */
  message?: string;
  /** How long the stage took, lookup or build. */
  ms: number;
  /** What it built or a hit served, by label; empty otherwise. */
  outputs: Record<string, StoredOutput>;
  /** For a cache hit: which cache served it. */
  from?: 'local' | 'remote';
  /** A stage's own failure (or the machine's), its message naming the stage. */
  failure?: StageFailure;
  /** What was said of the stage in this run, in order (progress aside). */
  events: Event[];
}

export class Attempt {
  readonly events: Event[] = [];
  /** Set once the planner knows it: a failure after that point is recorded under the key. */
  key: string | undefined;
  /**
   * Messages in the user's terms: paths inside the stage's tmp folder become the files under `latest/` they
   * are (pipeline/execute/user-paths.ts); set by the executor once the folder exists.
   */
  show: (text: string) => string = (text) => text;
  private readonly started = performance.now();

  constructor(
    readonly stage: string,
    private readonly log: Logger,
  ) {}

  elapsed(): number {
    return Math.round((performance.now() - this.started) * 10) / 10;
  }

  say(event: Event): void {
    if (event.kind !== 'progress') this.events.push(event);
    this.log.emit(event);
  }

  /** A warning about the stage that is not its end (a corrupt cache entry evicted). */
  readonly warn = (message: string): void => this.say({ kind: 'note', level: 'warn', stage: this.stage, message });

  private end(status: Status, more: Partial<Outcome> = {}): Outcome {
    const key = this.key !== undefined ? { key: this.key } : {};
    return { stage: this.stage, status, ...key, ms: this.elapsed(), outputs: {}, ...more, events: this.events };
  }

  skipped(cause: Cause, message: string): Outcome {
    this.say({ kind: 'skipped', stage: this.stage, cause, message });
    return this.end('skipped', { cause, message });
  }

  /** `phase: 'plan'`: the planner found the stage cannot run; `run`: it failed running or being set up. */
  failed(failure: StageFailure, phase: 'plan' | 'run'): Outcome {
    const { cause, message, details } = failure;
    const ms = this.elapsed();
    this.say({ kind: 'failed', stage: this.stage, phase, cause, message, ms, details });
    return this.end('failed', { cause, message, failure });
  }

  declined(key: string, message: string, cached: boolean, details?: string[]): Outcome {
    const ms = cached ? undefined : this.elapsed();
    this.say({ kind: 'declined', stage: this.stage, key, message, cached, ms, details });
    return this.end('skipped', { key, cause: 'declined', message });
  }

  cached(
    key: string,
    outputs: Record<string, StoredOutput>,
    from: 'local' | 'remote',
    r: { reused: boolean; madeAt?: number },
  ): Outcome {
    const ms = this.elapsed();
    const made = r.madeAt !== undefined ? { made: new Date(r.madeAt).toISOString() } : {};
    this.say({ kind: 'hit', stage: this.stage, key, ms, from, reused: r.reused, ...made });
    return this.end('cached', { key, ms, outputs, from: from === 'remote' ? from : undefined });
  }

  built(key: string, outputs: Record<string, StoredOutput>, ms: number): Outcome {
    this.say({ kind: 'built', stage: this.stage, key, ms });
    return this.end('built', { key, ms, outputs });
  }

  interrupted(signal: AbortSignal): Outcome {
    const message = `interrupted by ${interruptedBy(signal)}`;
    this.say({ kind: 'interrupted', stage: this.stage, message });
    // Nothing of an interrupted stage is stored under its key.
    const { stage, events } = this;
    return { stage, status: 'interrupted', cause: 'interrupted', message, ms: this.elapsed(), outputs: {}, events };
  }
}
