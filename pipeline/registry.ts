import type { AnyStage } from './graph.js';
import type { ToolSpec } from './stage.js';

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
  /** Tools probed inside stages, by the name `--require` uses; a required one is probed before anything runs. */
  probedTools?: Readonly<Record<string, ProbedTool>>;
  /** A check of the validated config the schema cannot express (a memory budget): the field and the problem. */
  checkConfig?(config: Readonly<Record<string, unknown>>): { path: string[]; message: string } | undefined;
  /**
   * Checks that need the whole validated config or the run options (a budget, a `--baseline` file), run before
   * any stage; a problem is one line (exit 2).
   */
  preflight?(config: Readonly<Record<string, unknown>>, options: Readonly<Record<string, unknown>>): Promise<string | undefined>;
}
