import type { RunConfig } from './config.js';
import type { AnyStage } from './graph.js';
import type { Result } from './result.js';

/** A command-line option the project declares (e.g. `--model FILE`): it edits the run config. */
export interface RegistryOption {
  describe: string;
  /** Repeatable (`--dim A=1 --dim B=2`). */
  array?: boolean;
  /** Applies the value to the config as read (before the schema check); an error is a usage error (exit 2). */
  apply(config: RunConfig, value: string | readonly string[], cwd: string): Result<RunConfig, string>;
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
}
