/**
 * The `ctx` a stage's `run` gets (pipeline/stage.ts `StageContext`): its config and tools as the planner found
 * them, its inputs where the executor placed them, paths for its outputs and their companions inside its tmp
 * folder, its persistent files, and the run's signal, options and log.
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
import type { StageContext } from '../stage.js';
import type { Store } from '../store/store.js';

export interface ContextOptions {
  store: Store;
  exec: Exec;
  signal: AbortSignal;
  board: ProgressBoard;
  options?: Readonly<Record<string, unknown>>;
}

/** Companion names per output label, as the stage asks for them: what the commit stores beside each output. */
export type Companions = Record<string, Set<string>>;

export function stageContext(
  def: AnyStage,
  keyed: Keyed,
  dir: string,
  inputs: Record<string, string | undefined>,
  a: Attempt,
  o: ContextOptions,
  companions: Companions,
): StageContext<unknown> {
  const { store, signal } = o;
  const th = toolsHash(keyed.fingerprint.data.tools);
  // Every child process a stage starts is stopped with the run.
  const exec: Exec = (command, args, options) =>
    o.exec(command, args, { ...options, signal: options?.signal ?? signal });
  // A stage's `ms` field is how long its step took, shown as the runner shows its own times.
  const say =
    (level: 'info' | 'warn') =>
    (message: string, fields: Record<string, unknown> = {}) => {
      const { ms, ...rest } = fields;
      const timed = typeof ms === 'number';
      const shown = timed ? rest : fields;
      const more = { ...(timed ? { ms } : {}), ...(Object.keys(shown).length > 0 ? { fields: shown } : {}) };
      a.say({ kind: 'note', level, stage: def.name, message, ...more });
    };
  return {
    config: keyed.config,
    inputs,
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
    persistent: (name) => store.persistentPath(def.name, th, name),
    workDir: join(dir, 'work'),
    tools: keyed.tools,
    exec,
    log: {
      info: say('info'),
      warn: say('warn'),
      progress: (done, total, what, timing) =>
        o.board.update(def.name, { done, total, ...(what ? { what } : {}), ...timing }),
    },
    signal,
    options: o.options ?? {},
  };
}
