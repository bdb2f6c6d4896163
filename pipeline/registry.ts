import type { AnyStage } from './graph.js';

/** What the CLI needs from the project: its stages, the run config's schema, and the stages each command targets. */
export interface Registry {
  stages: readonly AnyStage[];
  configSchema: object;
  /** Command → the stages it asks for; the runner adds what they consume. `run` means every stage. */
  targets: Readonly<Record<string, readonly string[]>>;
  /**
   * Stage name → code digest, where the project computes it itself; otherwise the CLI reads the one the bundle
   * recorded (pipeline/code-identity.ts).
   */
  code?: Readonly<Record<string, string>>;
}
