/**
 * An engine kit (trt/, torch/, ort/): what one engine brings, in one shape. Adding an engine is a new kit folder
 * exporting an `EngineKit`, its stage declarations where it has a build step, and its row in the benchmark's
 * table (stages/benchmark/run-bench.ts `KITS`).
 */
import type { ToolSpec } from '../pipeline/stage.js';
import type { EngineRunner } from './engine-runner.js';

export interface EngineKit<Ready = unknown> {
  /** The engine family, as bench.json and the stage tags name it: `trt`, `torch`, `ort`. */
  readonly name: string;
  /** What is installed, as the tools a stage probes (each fingerprint enters the key); none for a dependency. */
  readonly tools: readonly ToolSpec<never>[];
  /** The benchmark's runner for this engine. */
  readonly runner: EngineRunner<Ready>;
  /**
   * The code this kit runs outside the bundle (Python scripts and the modules they import), as absolute paths;
   * the bundle's module graph covers its TypeScript.
   */
  codeFiles(): readonly string[];
}
