import type { RunConfig } from './config.js';
import type { AnyStage } from './graph.js';
import type { Result } from './result.js';
import type { ToolSpec } from './stage.js';

/** A command-line option the project declares (e.g. `--model FILE`): it edits the run config. */
export interface RegistryOption {
  describe: string;
  /** Repeatable (`--dim A=1 --dim B=2`). */
  array?: boolean;
  /** Applies the value to the config as read (before the schema check); an error is a usage error (exit 2). */
  apply(config: RunConfig, value: string | readonly string[], cwd: string): Result<RunConfig, string>;
}

/** A tool a stage probes inside its `run` (so its absence skips part of the stage, not all of it). */
export interface ProbedTool {
  spec: ToolSpec<unknown>;
  /** The config the probe sees, from the run config. */
  config(root: Readonly<Record<string, unknown>>): unknown;
}

/** What the CLI needs from the project: its stages, the run config's schema, and the stages each command targets. */
export interface Registry {
  stages: readonly AnyStage[];
  configSchema: object;
  /** Command → the stages it asks for; the runner adds what they consume. `run` means every stage. */
  targets: Readonly<Record<string, readonly string[]>>;
  options?: Readonly<Record<string, RegistryOption>>;
  /**
   * Checks the checked config against the world before any stage runs (the files it names exist and make
   * sense) and may complete it (relative paths made absolute against `configFile`'s folder). An error is one
   * line, a config error: exit 2.
   */
  preflight?(config: RunConfig, configFile: string): Promise<Result<RunConfig, string>>;
  /** A check of the validated config the schema cannot express (a memory budget): the field and the problem. */
  checkConfig?(config: Readonly<Record<string, unknown>>): { path: string[]; message: string } | undefined;
  /** Tools probed inside stages, by the name `--require` uses; a required one is probed before anything runs. */
  probedTools?: Readonly<Record<string, ProbedTool>>;
  /** Checks the run options before any stage runs (a `--baseline` file is read and checked); a problem is exit 2. */
  checkOptions?(options: Readonly<Record<string, unknown>>): Promise<string | undefined>;
  /**
   * Stage name → code digest, where the project computes it itself; otherwise the CLI reads the one the bundle
   * recorded (pipeline/code-identity.ts).
   */
  code?: Readonly<Record<string, string>>;
}
