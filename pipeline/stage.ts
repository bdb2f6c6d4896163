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
  /** The producing stage's name (`optimize`). */
  stage: string;
  /** The label in its `outputs` (`model`). */
  output: string;
  /** When the producing stage is skipped, the consumer still runs and sees `undefined` for this input. */
  optional?: boolean;
  /**
   * Where the input comes from when the producer is skipped (not applicable to this config, or declined): e.g.
   * the last model that was produced. A failed producer is never replaced.
   */
  fallback?: InputRef;
}

/** No user files, no run options: what a stage that declares none has. */
export type Empty = Readonly<Record<never, never>>;

/** A stage's input labels and the artifacts they read. */
export type InputRefs = Readonly<Record<string, InputRef>>;

/** Files that belong together (the check data's `input_0.pb`, …): a name within the group → absolute path. */
export type FileGroup = Readonly<Record<string, string>>;

/**
 * Files the user names (not artifacts): label → absolute path (`undefined`: none named), or label → a named
 * group of them. Their content hashes enter the key, a group's members as `label/name` (a rename or a touch is a
 * hit, one changed byte a miss); `ctx.inputs[label]` is the file, or the group, where it lies, read-only.
 */
export type UserFiles = Readonly<Record<string, string | FileGroup | undefined>>;

/** The labels of a stage's optional inputs. */
type OptionalLabels<I extends InputRefs> = { [K in keyof I]: I[K] extends { optional: true } ? K : never }[keyof I];

/**
 * The paths a stage's `ctx.inputs` holds for its artifacts: a path for each input, none only for a skipped optional
 * one (or, where the labels are not known, for any label).
 */
export type InputPaths<I extends InputRefs> = string extends keyof I
  ? Readonly<Record<string, string | undefined>>
  : { readonly [K in Exclude<keyof I, OptionalLabels<I>>]: string } & {
      readonly [K in OptionalLabels<I>]?: string;
    };

/**
 * The run options (not config) a stage reads, each by a check of the value the run was given: `ctx.options` has
 * the value where it passes (`--precision fp16` as a `Precision`), else nothing (`--precision all`).
 */
export type OptionChecks<O> = { readonly [K in keyof O]: (value: unknown) => value is O[K] };

/** The run options a stage declared, as it sees them. */
export type RunOptions<O> = { readonly [K in keyof O]?: O[K] };

/** A stage's successful run that could not prove its output: recorded as skipped with the message. */
export interface Declined {
  /** Why, as the one line users read (the skip's message). */
  declined: string;
  /** More lines under it: a tool's own error lines, what was tried. */
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

/** Why a probe found no usable tool. */
export interface ToolMissing {
  /** Why the tool is missing or unusable, and how to get it: the skip's message. */
  message: string;
}

/** A missing optional tool is not an error: the stage is skipped with `message` unless the user required it. */
export type ToolProbe = Result<ToolFound, ToolMissing>;

/** A tool a stage declares (`StageDef.tools`): probed before the stage runs, its fingerprint in the key. */
export interface ToolSpec<C> {
  /** The name `--require <name>` uses. */
  name: string;
  /**
   * Finds the tool and asks it who it is. Must not throw for a missing or broken tool. `memo` keeps an answer
   * across runs while the files and variables it names are unchanged (pipeline/plan/probe-memo.ts); absent, none is.
   */
  probe(config: C, exec: Exec, memo?: ProbeMemo): Promise<ToolProbe>;
}

/** A long step's own clock, for `3.2 s of ~7 s`. */
export interface ProgressTiming {
  /** How long the step has run, where it keeps its own time. */
  elapsedMs?: number;
  /** How long it is expected to take in all (a measurement's sampling budget). */
  estimateMs?: number;
}

/** What a stage says while it runs: notes of the run, each with its stage's name (pipeline/log/). */
export interface StageLog {
  /** A note; `fields` are its details (`key=value` on a terminal, a JSON record's fields), `ms` a step's duration. */
  info(message: string, fields?: Record<string, unknown>): void;
  /** A warning (yellow on a terminal, level warn in JSON); the stage goes on. `fields` as for `info`. */
  warn(message: string, fields?: Record<string, unknown>): void;
  /**
   * What a long step is doing (pipeline/log/progress.ts): the live line on a terminal, a heartbeat elsewhere.
   * `timing` gives the step's own clock and its expected length, for `3.2 s of ~7 s`.
   */
  progress(done: number, total: number, what?: string, timing?: ProgressTiming): void;
}

/**
 * What a stage's `run` gets. `In` is its inputs as declared (`ContextOf` derives it from the declaration); `O`
 * the run options it declared.
 */
export interface StageContext<C, In = Readonly<Record<string, string | undefined>>, O = Empty> {
  /** Its config slice: what `config` took from the run config, all of it in the key. */
  config: C;
  /** Absolute paths of the declared inputs (artifacts, then user files), read-only. */
  inputs: In;
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
  /** What each declared tool's probe found, by the tool's name. */
  tools: Readonly<Record<string, ToolFound>>;
  /** Runs a child process (through execa, argument arrays); it is stopped with the run. */
  exec: Exec;
  /** Its notes, warnings and progress. */
  log: StageLog;
  /** Aborted when the run stops: a long step checks it, and passes it on to what it starts. */
  signal: AbortSignal;
  /**
   * The run options from the command line it declared (e.g. `baseline` from `--baseline FILE`). They do not
   * enter the cache key, so only a `cache: 'never'` stage should let them change its outputs.
   */
  options: RunOptions<O>;
  /** The stage's `display` of this run config (not in its key: for messages, never for outputs). */
  display?: Readonly<Record<string, string>>;
}

export type { StageFailure } from './cause.js';

/**
 * What a stage reads and writes, without its `run`: the types of `ctx` come from here. `C` is its config slice,
 * `I` its artifacts, `F` the user files its `files` names, `O` the run options it reads; `declareStage` infers all
 * four.
 */
export interface Declaration<C, I extends InputRefs = InputRefs, F extends UserFiles = Empty, O = Empty> {
  /** Unique, e.g. `engine:trt:fp16`. */
  name: string;
  /** Bump when `run` changes meaning: it enters the key, so old artifacts stop matching. */
  version: number;
  /** What it makes, in one line, for whoever reads the declaration (`TensorRT FP16 engine built by trtexec`). */
  description: string;
  /**
   * The slice of the run config this stage reads; all of it, and only it, enters the cache key. A stage whose
   * outputs a run option changes (the benchmark under `--precision`) takes that option's value into it here.
   */
  config(config: Readonly<Record<string, unknown>>, options?: RunOptions<O>): C;
  /** Input label → the artifact it reads (another stage's output); their hashes enter the key. */
  inputs: I;
  /** Output label → file name, as it appears under `artifacts/latest/`. */
  outputs: Readonly<Record<string, string>>;
  /** Its config comes from `config` alone: a tool that reads none of it (`ToolSpec<unknown>`) fits any stage. */
  tools?: readonly ToolSpec<NoInfer<C>>[];
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
  files?(config: Readonly<Record<string, unknown>>): Promise<Result<F, string>>;
  /** The run options it reads (`ctx.options`, and its `config`'s second argument), each with its check. */
  options?: OptionChecks<O>;
  /** What `--json` reports of its result beside the files, read from its outputs (label → path). */
  summary?(outputs: Readonly<Record<string, string>>): Promise<unknown>;
}

/** The `ctx` a stage of this declaration gets. */
export type ContextOf<D> =
  D extends Declaration<infer C, infer I, infer F, infer O> ? StageContext<C, InputPaths<I> & F, O> : never;

/** A stage: its declaration and its `run`, as the registry lists it. */
export interface StageDef<C = unknown, I extends InputRefs = InputRefs, F extends UserFiles = Empty, O = Empty>
  extends Declaration<C, I, F, O> {
  /** Ok with `Declined` when the stage cannot prove its output: skipped, and consumers take their fallback. */
  run(ctx: StageContext<C, InputPaths<I> & F, O>): Promise<Result<void | Declined, StageFailure>>;
}

/**
 * A stage's declaration, its types inferred: `ctx.inputs.model` a path, an optional input's `string | undefined`,
 * a group of user files a `FileGroup`, `ctx.options` what its checks let through. A stage whose `run` lives in
 * another module exports `ContextOf<typeof declared>` for it, then `defineStage({ ...declared, run })`.
 */
export const declareStage = <C, const I extends InputRefs, F extends UserFiles = Empty, O = Empty>(
  declaration: Declaration<C, I, F, O>,
): Declaration<C, I, F, O> => declaration;

/** A stage, its types inferred from its declaration as `declareStage` infers them. */
export const defineStage = <C, const I extends InputRefs = InputRefs, F extends UserFiles = Empty, O = Empty>(
  stage: StageDef<C, I, F, O>,
): StageDef<C, I, F, O> => stage;

/** The run options a stage declared, out of the run's (the CLI's strings): each kept where its check passes. */
export function declaredOptions(
  declared: Readonly<Record<string, (value: unknown) => boolean>> | undefined,
  given: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const checks = Object.entries(declared ?? {});
  return Object.fromEntries(checks.filter(([name, check]) => check(given[name])).map(([name]) => [name, given[name]]));
}

/**
 * A `run` whose implementation is imported on first call: listing the stages (a no-op run, `plan`, `--help`)
 * then loads none of their heavy dependencies (onnxruntime, vega, the schema table).
 */
export const lazyRun =
  <Ctx, R>(load: () => Promise<{ run: (ctx: Ctx) => Promise<R> }>): ((ctx: Ctx) => Promise<R>) =>
  async (ctx) =>
    (await load()).run(ctx);

/** The result of a stage that declines, with the message users read and, where more is known, its cause. */
export const decline = (message: string, details?: string[], cause?: Cause): Result<Declined, never> => ({
  ok: true,
  value: { declined: message, details, cause },
});
