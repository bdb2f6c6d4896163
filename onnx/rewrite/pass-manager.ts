/**
 * Runs a pass list in rounds until a whole round changes nothing (a fixed point), under a cap on rounds so
 * that two passes undoing each other cannot loop forever. Every application is recorded, which is what
 * passes.json reports and what bisection replays.
 */
import type { Model } from '../ir.js';
import { cloneModel } from './clone.js';
import { checkpointOf } from './scope.js';
import { countNodes } from './subgraphs.js';
import { PassError, type Pass, type PassResult } from './pass.js';

/** One application of one pass: a line of passes.json, and what bisection replays up to. */
export interface PassStep {
  /** The pass's name. */
  pass: string;
  /** The round it ran in, from 1. */
  round: number;
  /** The pass changed the model. */
  changed: boolean;
  /** Nodes, those inside If/Loop/Scan bodies included. */
  nodesBefore: number;
  /** Nodes after it, counted the same way. */
  nodesAfter: number;
  /** How long it ran. */
  ms: number;
  /** A rule pass's fired and declined rules. */
  rules?: PassResult['rules'];
}

/** A whole pass list's run. */
export interface PassRun {
  /** The model at the fixed point (or where `stopAfter` stopped). */
  model: Model;
  /** Every application, in order. */
  steps: PassStep[];
  /** Rounds run; the last one changed nothing. */
  rounds: number;
}

/** How far to run a pass list, and how to stop it. */
export interface PassManagerOptions {
  /** Give up (throw) when a fixed point is not reached in this many rounds. */
  maxRounds?: number;
  /** Stop after this many applications in total: bisection replays a prefix of a recorded run. */
  stopAfter?: number;
  /** Checked between passes and inside them: an aborted run throws the signal's reason, never a PassError. */
  signal?: AbortSignal;
}

/** Never mutates `model`. Throws PassError naming the pass that threw or that kept changing the model. */
export function runPasses(model: Model, passes: readonly Pass[], options: PassManagerOptions = {}): PassRun {
  const it = passSteps(model, passes, options);
  for (let r = it.next(); ; r = it.next()) if (r.done) return r.value;
}

/**
 * runPasses, giving the event loop a turn between passes: a signal handler (Ctrl-C, SIGTERM) runs then and
 * aborts `options.signal`, which the next check throws. What the stage calls.
 */
export async function runPassesYielding(
  model: Model,
  passes: readonly Pass[],
  options: PassManagerOptions = {},
): Promise<PassRun> {
  const it = passSteps(model, passes, options);
  for (let r = it.next(); ; r = it.next()) {
    if (r.done) return r.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** The pass list as steps: yields after each pass application, returns the run. */
function* passSteps(model: Model, passes: readonly Pass[], options: PassManagerOptions): Generator<void, PassRun> {
  const maxRounds = options.maxRounds ?? 10;
  const steps: PassStep[] = [];
  const checkpoint = checkpointOf(options.signal);
  let current = cloneModel(model);
  let nodes = countNodes(current.graph);
  for (let round = 1; round <= maxRounds; round++) {
    let roundChanged = false;
    for (const pass of passes) {
      if (options.stopAfter !== undefined && steps.length >= options.stopAfter)
        return { model: current, steps, rounds: round };
      checkpoint();
      const nodesBefore = nodes;
      const t0 = performance.now();
      const result = runPass(pass, current, options.signal, steps);
      const ms = performance.now() - t0;
      current = result.model;
      if (result.changed) nodes = countNodes(current.graph);
      steps.push({
        pass: pass.name,
        round,
        changed: result.changed,
        nodesBefore,
        nodesAfter: nodes,
        ms,
        rules: result.rules,
      });
      roundChanged ||= result.changed;
      yield;
    }
    if (!roundChanged) return { model: current, steps, rounds: round };
  }
  const last = steps.filter((s) => s.round === maxRounds && s.changed).map((s) => s.pass);
  throw new PassError(
    last[0] ?? '?',
    steps.map((s) => s.pass),
    new Error(`no fixed point after ${maxRounds} rounds; still changing: ${last.join(', ')}`),
  );
}

/** One pass; what it throws becomes a PassError naming it and the passes before it, unless the run was stopped. */
function runPass(pass: Pass, model: Model, signal: AbortSignal | undefined, before: readonly PassStep[]): PassResult {
  try {
    return pass.run(model, { signal });
  } catch (cause) {
    if (signal?.aborted) throw signal.reason;
    throw new PassError(
      pass.name,
      before.map((s) => s.pass),
      cause,
    );
  }
}
