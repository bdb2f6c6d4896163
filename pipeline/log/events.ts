/**
 * What happens in a run, as values. The runner, the executor and the progress board emit them; the logger
 * renders them (pipeline/log/log.ts: a human line on a terminal, a JSON record elsewhere); each stage's outcome
 * keeps its own (all but `progress`), and the manifest records them (pipeline/store/latest.ts).
 */
import type { Cause } from '../cause.js';

/** The planner's decision for a stage (pipeline/plan/plan.ts). */
export type Decision = 'hit' | 'remote-hit' | 'miss' | 'skip' | 'pending';

/** How the stages of a run ended, by outcome: the summary line and `--json`'s `summary`. */
export interface Counts {
  /** Stages that ran and stored their outputs. */
  built: number;
  /** Stages an entry served, local or remote. */
  cached: number;
  /** Stages left out or declined: a fact about the model or the machine, not a fault. */
  skipped: number;
  /** Stages that failed, at planning or at run time: the run's exit code says so. */
  failed: number;
  /** Stages a signal stopped, or never started because of it. */
  interrupted: number;
}

/** What every event about one stage carries. */
interface StageEvent {
  /** The stage's name in the registry (`optimize`, `engine:trt:fp16`). */
  stage: string;
}

/** What the planner decided, with the key when it is known. */
export interface PlannedEvent extends StageEvent {
  kind: 'planned';
  /** Hit, miss, skip…: what the runner does with the stage next. */
  decision: Decision;
  /** The stage's cache key; a stage skipped before its key could be made has none. */
  key?: string;
}

/** Another process holds the key's lock: this run waits for it, then takes its entry. */
export interface WaitingEvent extends StageEvent {
  kind: 'waiting';
  /** The key being built elsewhere. */
  key: string;
  /** The lock holder's process id, when its lock file says. */
  pid?: number;
  /** The lock holder's host, when its lock file says: a shared store may be locked from another machine. */
  host?: string;
}

/** The stage runs: `why` says why it is not a hit, `explain` which part of the key changed (`--explain`). */
export interface StartedEvent extends StageEvent {
  kind: 'started';
  /** The key its outputs will be stored under. */
  key: string;
  /** Why there was no hit, in words (`no earlier result…`, `--force`). */
  why: string;
  /** Under `--explain`: what differs from the newest entry of the stage, one line each. */
  explain?: string[];
}

/** An entry served the stage; `reused`: a measurement's newest result, taken by a command that only reads it. */
export interface HitEvent extends StageEvent {
  kind: 'hit';
  /** The key of the entry that served it. */
  key: string;
  /** How long the lookup (and a remote download) took. */
  ms: number;
  /** Which store held the entry. */
  from: 'local' | 'remote';
  /** A measurement's newest entry, taken though its key would not hit (the line says its command measures anew). */
  reused: boolean;
  /** When the entry was stored (ISO 8601): a reused measurement's line says how old it is. */
  made?: string;
}

/** The stage ran and its outputs are stored under `key`. */
export interface BuiltEvent extends StageEvent {
  kind: 'built';
  /** The key the outputs are stored under. */
  key: string;
  /** How long the stage ran. */
  ms: number;
}

/** The stage could not prove its output: now (`ms`, `details`), or earlier (`cached`: stored under its key). */
export interface DeclinedEvent extends StageEvent {
  kind: 'declined';
  /** The key the decline is stored under: a later run declines again without running. */
  key: string;
  /** Why, in one sentence. */
  message: string;
  /** The decline came from the store, not from running the stage now. */
  cached: boolean;
  /** How long the stage ran before declining; absent for a stored decline. */
  ms?: number;
  /** Supporting lines (the failing output, the tolerance), printed under the message. */
  details?: string[];
}

/** The planner left the stage out: `cause` says why as a value, `message` in words. */
export interface SkippedEvent extends StageEvent {
  kind: 'skipped';
  /** Why, as a value (an upstream stage skipped, a tool missing, excluded by `--leave-out`). */
  cause: Cause;
  /** Why, in one sentence that says what would make the stage run. */
  message: string;
}

/**
 * `phase: 'plan'`: the planner found the stage cannot run (a required tool missing, a user file unreadable);
 * `run`: it ran, or was set up to run, and failed.
 */
export interface FailedEvent extends StageEvent {
  kind: 'failed';
  /** Whether the stage ever ran: a failure at planning has no time and no stored output to speak of. */
  phase: 'plan' | 'run';
  /** Why, as a value: the exit code and `--json` readers branch on it. */
  cause: Cause;
  /** What went wrong and what to do, in one sentence. */
  message: string;
  /** How long the stage ran before failing; absent for a failure at planning. */
  ms?: number;
  /** Supporting lines (a tool's own error lines), printed under the message. */
  details?: string[];
}

/** A signal stopped the stage, or the run stopped before it started. */
export interface InterruptedEvent extends StageEvent {
  kind: 'interrupted';
  /** `interrupted by SIGINT` (or SIGTERM). */
  message: string;
}

/** What a running stage is doing now (pipeline/log/progress.ts); said, never recorded. */
export interface ProgressEvent extends StageEvent {
  kind: 'progress';
  /** The stage's own words (`ort fp32 batch 8 timed · 45/100`). */
  text: string;
  /** How long the stage has run so far. */
  elapsedMs: number;
}

/** A line beside the above: a stage's own (`ctx.log`, `ms` how long a step took), a cache warning, the CLI's. */
export interface NoteEvent {
  kind: 'note';
  /** A warning reads as one (yellow on a terminal, level warn in JSON); the run goes on either way. */
  level: 'info' | 'warn';
  /** The stage that said it; absent for the runner's and the CLI's own lines. */
  stage?: string;
  /** The line itself. */
  message: string;
  /** How long the step it reports took, shown as the runner shows its own times. */
  ms?: number;
  /** The stage's structured details: `key=value` on a terminal, fields of a JSON record. */
  fields?: Record<string, unknown>;
}

/** The end of a run: the counts, and again each failure, where a long run's log ends. */
export interface SummaryEvent {
  kind: 'summary';
  /** How the run's stages ended. */
  counts: Counts;
  /** Of the cached stages, those the remote cache served. */
  fromRemote: number;
  /** The whole run's wall time. */
  ms: number;
  /** Each failed stage again, with its message and supporting lines. */
  failures: Array<{
    /** The failed stage. */
    stage: string;
    /** Its failure, as the stage's own line said it. */
    message: string;
    /** Its supporting lines, if any. */
    details?: string[];
  }>;
}

/** Everything a run says, one variant per `kind`. */
export type Event =
  | PlannedEvent
  | WaitingEvent
  | StartedEvent
  | HitEvent
  | BuiltEvent
  | DeclinedEvent
  | SkippedEvent
  | FailedEvent
  | InterruptedEvent
  | ProgressEvent
  | NoteEvent
  | SummaryEvent;
