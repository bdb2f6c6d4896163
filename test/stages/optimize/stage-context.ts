/** A real StageContext over a temp directory, for running a stage's `run` directly in a test. */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../../pipeline/exec.js';
import type { StageContext } from '../../../pipeline/stage.js';

export interface LogLine { level: 'info' | 'warn'; message: string; fields?: Record<string, unknown> }

export async function stageContext<C>(config: C, inputs: Record<string, string>, outputs: Record<string, string>): Promise<{ ctx: StageContext<C>; logs: LogLine[]; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ef-stage-'));
  const logs: LogLine[] = [];
  const ctx: StageContext<C> = {
    config,
    inputs,
    out: (label) => {
      const file = outputs[label];
      if (!file) throw new Error(`undeclared output ${label}`);
      return join(dir, file);
    },
    persistent: (name) => join(dir, name),
    workDir: dir,
    tools: {},
    exec,
    log: {
      info: (message, fields) => logs.push({ level: 'info', message, ...(fields ? { fields } : {}) }),
      warn: (message, fields) => logs.push({ level: 'warn', message, ...(fields ? { fields } : {}) }),
      progress: () => undefined,
    },
    signal: new AbortController().signal,
  };
  return { ctx, logs, dir };
}
