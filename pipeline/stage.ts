/**
 * The contract between the runner and a stage. A stage declares what it reads (a config slice, input
 * artifacts, external tools) and what it writes; the runner derives the order, the cache key, logging and
 * timing from that declaration. Nothing here knows what the artifacts contain.
 */
import type { Result } from './result.js';
import type { Exec } from './execute/exec.js';
import type { ProbeMemo } from './plan/probe-memo.js';
import type { Cause, StageFailure } from './cause.js';

/** An artifact another stage produces: `stage` is its name, `output` the label in its `outputs`. */
export interface InputRef {
  stage: string;
  output: string;
  /** When the producing stage is skipped, the consumer still runs and sees `undefined` for this input. */
  optional?: boolean;
  /**
   * Where the input comes from when the producer is skipped (not applicable to this config, or declined): e.g.
   * the last model that was produced. A failed producer is never replaced.
   */
  fallback?: InputRef;
}

/**
 * Files the user names (not artifacts), label → absolute path. Their content hashes enter the key (a rename or
 * a touch is a hit, one changed byte a miss); `ctx.inputs[label]` is the file where it lies, read-only.
 */
export type UserFiles = Readonly<Record<string, string>>;

/** A stage's successful run that could not prove its output: recorded as skipped with the message. */
export interface Declined {
  declined: string;
  details?: string[];
  /** Why, where more is known than `declined` (the model is one a tool cannot take: `unsupported-model`). */
  cause?: Cause;
}

/** What a tool probe found. `fingerprint` enters the cache key of every stage that declares the tool. */
export interface ToolFound {
  /** How to run it: an executable path, or a command prefix such as `docker run … image trtexec`. */
  command: readonly string[];
  /** Version strings the tool reports, and for GPU tools the GPU name, compute capability, driver. */
  fingerprint: Readonly<Record<string, string>>;
}

/** A missing optional tool is not an error: the stage is skipped with `message` unless the user required it. */
export type ToolProbe = Result<ToolFound, { message: string }>;

export interface ToolSpec<C> {
  /** The name `--require <name>` uses. */
  name: string;
  /**
   * Finds the tool and asks it who it is. Must not throw for a missing or broken tool. `memo` keeps an answer
   * across runs while the files and variables it names are unchanged (pipeline/plan/probe-memo.ts); absent, none is.
   */
  probe(config: C, exec: Exec, memo?: ProbeMemo): Promise<ToolProbe>;
}

export interface StageLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  /**
   * What a long step is doing (pipeline/log/progress.ts): the live line on a terminal, a heartbeat elsewhere.
   * `timing` gives the step's own clock and its expected length, for `3.2 s of ~7 s`.
   */
  progress(done: number, total: number, what?: string, timing?: { elapsedMs?: number; estimateMs?: number }): void;
}

export interface StageContext<C> {
  config: C;
  /** Absolute paths of the declared inputs, read-only; `undefined` only for a skipped optional input. */
  inputs: Readonly<Record<string, string | undefined>>;
  /** Absolute path to write the output with this label; committed to the store only if `run` succeeds. */
  out(label: string): string;
  /**
   * Absolute path of a file that travels with output `label` under `name`, a path relative to the output's
   * folder (a model's external data): stored with it and placed beside it for every consumer.
   */
  companion?(label: string, name: string): string;
  /** A file that persists across runs and keys, one per stage and tool fingerprint (e.g. a timing cache). */
  persistent(name: string): string;
  /** A scratch directory, removed after the stage. */
  workDir: string;
  tools: Readonly<Record<string, ToolFound>>;
  exec: Exec;
  log: StageLog;
  signal: AbortSignal;
  /**
   * Run options from the command line that are not config (e.g. `baseline` from `--baseline FILE`). They do not
   * enter the cache key, so only a `cache: 'never'` stage should let them change its outputs.
   */
  options?: Readonly<Record<string, unknown>>;
  /** The stage's `display` of this run config (not in its key: for messages, never for outputs). */
  display?: Readonly<Record<string, string>>;
}

export type { StageFailure } from './cause.js';

export interface StageDef<C = unknown> {
  /** Unique, e.g. `engine:trt:fp16`. */
  name: string;
  /** Bump when `run` changes meaning: it enters the key, so old artifacts stop matching. */
  version: number;
  description: string;
  /**
   * The slice of the run config this stage reads; all of it, and only it, enters the cache key. A stage whose
   * outputs a run option changes (the benchmark under `--precision`) takes that option's value into it here.
   */
  config(config: Readonly<Record<string, unknown>>, options?: Readonly<Record<string, unknown>>): C;
  inputs: Readonly<Record<string, InputRef>>;
  /** Output label → file name, as it appears under `artifacts/latest/`. */
  outputs: Readonly<Record<string, string>>;
  tools?: readonly ToolSpec<C>[];
  /** `never`: a measurement, re-run every time though every upstream artifact is reused. */
  cache?: 'always' | 'never';
  /** Labels the CLI filters on, e.g. `{ precision: 'fp16' }` for `--precision`. */
  tags?: Readonly<Record<string, string>>;
  /** Why the stage does not apply to this run config (e.g. a source that is not the one in use); then skipped. */
  when?(config: Readonly<Record<string, unknown>>): string | undefined;
  /**
   * What the stage names to the user but never writes into an output (the user's file as they gave it): taken
   * from the run config, outside the key, so a rename stays a hit; the stage sees it as `ctx.display`.
   */
  display?(config: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> | undefined;
  /** The user files it reads; an error (a file that cannot be read) fails the stage before it runs. */
  files?(config: Readonly<Record<string, unknown>>): Promise<Result<UserFiles, string>>;
  /** What `--json` reports of its result beside the files, read from its outputs (label → path). */
  summary?(outputs: Readonly<Record<string, string>>): Promise<unknown>;
  /** Ok with `Declined` when the stage cannot prove its output: skipped, and consumers take their fallback. */
  run(ctx: StageContext<C>): Promise<Result<void | Declined, StageFailure>>;
}

/** Keeps a stage's config type attached to it without widening the registry's type. */
export const defineStage = <C>(stage: StageDef<C>): StageDef<C> => stage;

/**
 * A `run` whose implementation is imported on first call: listing the stages (a no-op run, `plan`, `--help`)
 * then loads none of their heavy dependencies (onnxruntime, vega, the schema table).
 */
export const lazyRun =
  <C>(load: () => Promise<{ run: StageDef<C>['run'] }>): StageDef<C>['run'] =>
  async (ctx) =>
    (await load()).run(ctx);

/** The result of a stage that declines, with the message users read and, where more is known, its cause. */
export const decline = (message: string, details?: string[], cause?: Cause): Result<Declined, never> => ({
  ok: true,
  value: { declined: message, ...(details ? { details } : {}), ...(cause ? { cause } : {}) },
});
