/**
 * A pass rewrites the IR and says honestly whether it changed anything; the pass manager relies on that
 * to stop at a fixed point. Passes work on a model the manager has already cloned (`cloneModel`), so they
 * may edit node lists in place; tensors and attributes are still replaced, never mutated (see onnx/ir.ts).
 */
import type { Model } from '../ir.js';

/** What one run of a pass gives back. */
export interface PassResult {
  /** The model after the pass (the one it was given, edited, or a new one). */
  model: Model;
  /** Whether anything changed: false only when the model is exactly as it was. */
  changed: boolean;
  /** Rule passes: how often each rule fired, and why each rule that matched but declined did so. */
  rules?: RuleCounts;
}

/** A rule pass's record of its rules. */
export interface RuleCounts {
  /** Rule name → how often it fired. */
  fired: Record<string, number>;
  /** Rule name → the first reason it gave for declining a match. */
  declined: Record<string, string>;
}

/** What every run of a pass may be given. */
export interface PassOptions {
  /** Checked between graphs and every few thousand nodes: an aborted run throws the signal's reason. */
  signal?: AbortSignal;
}

/** A named rewrite of a whole model. */
export interface Pass {
  /** kebab-case, as it appears in configs and in passes.json. */
  name: string;
  /** One line: what the pass does, for --help and docs. */
  description: string;
  /** Runs the pass on a model the manager has cloned: it may edit node lists in place. */
  run(model: Model, options?: PassOptions): PassResult;
}

export const definePass = (pass: Pass): Pass => pass;

/** A pass that threw: the message names it and the passes that ran before it. */
export class PassError extends Error {
  constructor(
    readonly pass: string,
    readonly before: readonly string[],
    override readonly cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(`pass '${pass}' failed after [${before.join(', ')}]: ${why}`);
  }
}
