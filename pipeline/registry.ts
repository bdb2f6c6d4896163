import type { AnyStage } from './graph.js';

/** What the CLI needs from the project: its stages, the run config's schema, and the stages each command targets. */
export interface Registry {
  stages: readonly AnyStage[];
  configSchema: object;
  /** Command → the stages it asks for; the runner adds what they consume. `run` means every stage. */
  targets: Readonly<Record<string, readonly string[]>>;
}
