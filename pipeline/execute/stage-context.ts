/**
 * The `ctx` a stage's `run` gets (pipeline/stage.ts `StageContext`): its config and tools as the planner found
 * them, its inputs where the executor placed them, paths for its outputs and their companions inside its tmp
 * folder, its persistent files, the run options it declares, and the run's signal and log.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { badCompanionName } from '../store/companions.js';
import type { Exec } from './exec.js';
import { toolsHash } from '../plan/fingerprint.js';
import type { AnyStage } from '../plan/graph.js';
import type { Attempt } from './outcome.js';
import type { Keyed } from '../plan/plan.js';
import type { ProgressBoard } from '../log/progress.js';
import { declaredOptions, type StageContext, type StageLog, type UserFiles } from '../stage.js';
import type { Store } from '../store/store.js';

/** What a stage's `ctx` is made from, beside the stage and its step: the run's own services. */
export interface ContextOptions {
  /** The artifact store, where the stage's persistent files lie (`ctx.persistent`). */
  store: Store;
  /** How child processes run; the stage's own stops with the run's signal. */
  exec: Exec;
  /** Aborted when the run stops (SIGINT, SIGTERM): the stage's `ctx.signal`. */
  signal: AbortSignal;
  /** Where the stage's progress is drawn (the live line on a terminal, a heartbeat elsewhere). */
  board: ProgressBoard;
  /** The run options from the command line, of which the stage sees those it declares (`ctx.options`). */
  options?: Readonly<Record<string, unknown>>;
  /** The run config, for a stage's `display`. */
  root?: Readonly<Record<string, unknown>>;
}

/** Companion names per output label, as the stage asks for them: what the commit stores beside each output. */
export type Companions = Record<string, Set<string>>;

/** Every child process a stage starts is stopped with the run. */
const stageExec =
  (o: ContextOptions): Exec =>
  (command, args, options) =>
    o.exec(command, args, { ...options, signal: options?.signal ?? o.signal });

/** What the stage says, as the run's notes (a stage's `ms` field shown as the runner shows its own times). */
function stageLog(def: AnyStage, a: Attempt, o: ContextOptions): StageLog {
  const say =
    (level: 'info' | 'warn') =>
    (message: string, fields: Record<string, unknown> = {}) => {
      // Once the run is stopping, what a stage still says is about work the stop cut short: the stop says it.
      if (o.signal.aborted) return;
      const { ms, ...rest } = fields;
      const timed = typeof ms === 'number';
      const shown = timed ? rest : fields;
      const more = { ...(timed ? { ms } : {}), ...(Object.keys(shown).length > 0 ? { fields: shown } : {}) };
      a.say({ kind: 'note', level, stage: def.name, message, ...more });
    };
  return {
    info: say('info'),
    warn: say('warn'),
    progress: (done, total, what, timing) =>
      o.board.update(def.name, { done, total, ...(what ? { what } : {}), ...timing }),
  };
}

/** Where the stage writes its declared outputs and their companions, inside its tmp folder `dir`. */
function outputPaths(def: AnyStage, dir: string, companions: Companions): Pick<AnyContext, 'out' | 'companion'> {
  return {
    out: (label) => {
      const file = def.outputs[label];
      if (!file) throw new Error(`Internal error: stage ${def.name} wrote output ${label}, which it does not declare`);
      return join(dir, 'out', file);
    },
    companion: (label, name) => {
      const bad = badCompanionName(name);
      if (!(label in def.outputs) || bad || Object.values(def.outputs).includes(name)) {
        const what = `companion ${JSON.stringify(name)} of output ${label} ${bad ?? 'is not allowed'}`;
        throw new Error(`Internal error: stage ${def.name}: ${what}`);
      }
      (companions[label] ??= new Set()).add(name);
      mkdirSync(dirname(join(dir, 'out', name)), { recursive: true });
      return join(dir, 'out', name);
    },
  };
}

/** The ctx of any stage: its inputs are paths and groups of paths, its options whatever it declared. */
export type AnyContext = StageContext<unknown, UserFiles, Readonly<Record<string, unknown>>>;

export function stageContext(
  def: AnyStage,
  keyed: Keyed,
  dir: string,
  inputs: UserFiles,
  a: Attempt,
  o: ContextOptions,
  companions: Companions,
): AnyContext {
  const display = o.root && def.display ? def.display(o.root) : undefined;
  return {
    config: keyed.config,
    inputs,
    ...outputPaths(def, dir, companions),
    persistent: (name) => o.store.persistentPath(def.name, toolsHash(keyed.fingerprint.data.tools), name),
    workDir: join(dir, 'work'),
    tools: keyed.tools,
    exec: stageExec(o),
    log: stageLog(def, a, o),
    signal: o.signal,
    options: declaredOptions(def.options, o.options ?? {}),
    ...(display ? { display } : {}),
  };
}
