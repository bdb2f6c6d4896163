import type { RunConfig } from './config/config.js';
import type { AnyStage } from './plan/graph.js';
import type { Result } from './result.js';
import type { ToolSpec } from './stage.js';

/** A command-line option the project declares (e.g. `--model FILE`): it edits the run config. */
export interface RegistryOption {
  /** The line `--help` shows. */
  describe: string;
  /** Repeatable (`--dim A=1 --dim B=2`). */
  array?: boolean;
  /** Applies the value to the config as read (before the schema check); an error is a usage error (exit 2). */
  apply(config: RunConfig, value: string | readonly string[], cwd: string): Result<RunConfig, string>;
}

/**
 * A command-line option that is not config: the stages see its value in `ctx.options` under its name, and it
 * enters no cache key (so only a `cache: 'never'` stage should let it change its outputs). A filter (`excludes`)
 * also leaves stages out; `plan` takes the filters, since they change what would run.
 */
export interface StageOption {
  /** The line `--help` shows. */
  describe: string;
  /** The values it accepts (anything else is a usage error). */
  choices?: readonly string[];
  /** Its value when not given; without one, the stages see nothing. */
  default?: string;
  /** A file the user names: the stages see it resolved against the working directory. */
  file?: boolean;
  /** Checked before any stage runs (`plan` runs none, so it skips this): a problem is a usage error, exit 2. */
  check?(value: string): Promise<string | undefined>;
  /** A filter: why `value` leaves `stage` out (the stage is skipped as `excluded` with this message), else nothing. */
  excludes?(stage: AnyStage, value: string): string | undefined;
}

/** A command of the project's, `enginefoundry <name>`; the CLI adds `run` (every stage), `plan` and `cache`. */
export interface RegistryCommand {
  /** The line `--help` shows. */
  describe: string;
  /** The stages it asks for; the runner adds what they consume. */
  targets: readonly string[];
  /** The names of the `stageOptions` it takes; its `--help` lists only those beside the CLI's own. */
  options?: readonly string[];
}

/**
 * A filter on a stage tag (`StageDef.tags`): `--TAG VALUE` leaves out every stage tagged `TAG` with another
 * value; `all` leaves out nothing.
 */
export function tagFilter(tag: string, values: readonly string[], describe: string): StageOption {
  return {
    describe,
    choices: [...values, 'all'],
    default: 'all',
    excludes(stage, value) {
      const own = stage.tags?.[tag];
      return value !== 'all' && own !== undefined && own !== value ? `left out by --${tag} ${value}` : undefined;
    },
  };
}

/** A tool a stage probes inside its `run` (so its absence skips part of the stage, not all of it). */
export interface ProbedTool {
  /** The tool: its name for `--require`, and its probe. */
  spec: ToolSpec<unknown>;
  /** The config the probe sees, from the run config. */
  config(root: Readonly<Record<string, unknown>>): unknown;
}

/** A problem with one field of the checked run config, reported as a config error. */
export interface ConfigProblem {
  /** The field, as its keys from the root: `['trt', 'batch', 'max']`. */
  path: string[];
  /** What is wrong with its value. */
  message: string;
}

/** What the CLI needs from the project: its stages, the run config's schema, its commands and their options. */
export interface Registry {
  /** Every stage of the project; the runner orders a run's by their inputs. */
  stages: readonly AnyStage[];
  /** The run config's JSON schema (TypeBox), composed of each section's; the CLI adds its `cache` section. */
  configSchema: object;
  /** Command name → what it does and which stages it asks for. */
  commands: Readonly<Record<string, RegistryCommand>>;
  /** Options that edit the config; every command that reads a config takes them. */
  options?: Readonly<Record<string, RegistryOption>>;
  /** Options the stages see (`--baseline FILE`) and filters (`--precision`); `run` takes all of them. */
  stageOptions?: Readonly<Record<string, StageOption>>;
  /**
   * Checks the checked config against the world before any stage runs (the files it names exist and make
   * sense) and may complete it (relative paths made absolute against `configFile`'s folder). An error is one
   * line, a config error: exit 2.
   */
  preflight?(config: RunConfig, configFile: string): Promise<Result<RunConfig, string>>;
  /** A check of the validated config the schema cannot express (a memory budget): the field and the problem. */
  checkConfig?(config: Readonly<Record<string, unknown>>): ConfigProblem | undefined;
  /** What the run is about as the user knows it (their model's name and path): `--json`'s `model`. */
  subject?(config: Readonly<Record<string, unknown>>): Readonly<Record<string, string>> | undefined;
  /** Tools probed inside stages, by the name `--require` uses; a required one is probed before anything runs. */
  probedTools?: Readonly<Record<string, ProbedTool>>;
  /**
   * Stage name → code digest, where the project computes it itself; otherwise the CLI reads the one the bundle
   * recorded (pipeline/plan/code-identity.ts).
   */
  code?: Readonly<Record<string, string>>;
}
