/**
 * What happens in a run, as values. The runner, the executor and the progress board emit them; the logger
 * renders them (pipeline/log/log.ts: a human line on a terminal, a JSON record elsewhere); each stage's outcome
 * keeps its own (all but `progress`), and the manifest records them (pipeline/store/latest.ts).
 */
import type { Reason } from '../reason.js';

/** The planner's decision for a stage (pipeline/plan/plan.ts). */
export type Decision = 'hit' | 'remote-hit' | 'miss' | 'skip' | 'pending';

export interface Counts {
  built: number;
  cached: number;
  skipped: number;
  failed: number;
  interrupted: number;
}

export type Event =
  /** What the planner decided, with the key when it is known. */
  | { kind: 'planned'; stage: string; decision: Decision; key?: string }
  /** Another process holds the key's lock: this run waits for it, then takes its entry. */
  | { kind: 'waiting'; stage: string; key: string; pid?: number; host?: string }
  /** The stage runs: `why` says why it is not a hit, `explain` which part of the key changed (`--explain`). */
  | { kind: 'started'; stage: string; key: string; why: string; explain?: string[] }
  /** An entry served the stage; `reused`: a measurement's newest result, taken by a command that only reads it. */
  | { kind: 'hit'; stage: string; key: string; ms: number; from: 'local' | 'remote'; reused: boolean }
  | { kind: 'built'; stage: string; key: string; ms: number }
  /** The stage could not prove its output: now (`ms`, `details`), or earlier (`cached`: stored under its key). */
  | { kind: 'declined'; stage: string; key: string; reason: string; cached: boolean; ms?: number; details?: string[] }
  /** The planner left the stage out: `cause` says why as a value, `reason` in words. */
  | { kind: 'skipped'; stage: string; cause: Reason; reason: string }
  /**
   * `phase: 'plan'`: the planner found the stage cannot run (a required tool missing, a user file unreadable);
   * `run`: it ran, or was set up to run, and failed.
   */
  | {
      kind: 'failed';
      stage: string;
      phase: 'plan' | 'run';
      cause: Reason;
      reason: string;
      ms?: number;
      details?: string[];
    }
  | { kind: 'interrupted'; stage: string; reason: string }
  /** What a running stage is doing now (pipeline/log/progress.ts); said, never recorded. */
  | { kind: 'progress'; stage: string; text: string; elapsedMs: number }
  /** A line beside the above: a stage's own (`ctx.log`, `ms` how long a step took), a cache warning, the CLI's. */
  | {
      kind: 'note';
      level: 'info' | 'warn';
      stage?: string;
      message: string;
      ms?: number;
      fields?: Record<string, unknown>;
    }
  /** The end of a run: the counts, and again each failure, where a long run's log ends. */
  | {
      kind: 'summary';
      counts: Counts;
      fromRemote: number;
      ms: number;
      failures: Array<{ stage: string; reason: string; details?: string[] }>;
    };
