/** A real StageContext over a temp directory, for running a stage's `run` directly in a test. */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../../../pipeline/execute/exec.js';
import { encodeModel } from '../../../onnx/serde.js';
import type { StageContext } from '../../../pipeline/stage.js';
import type { ModelConfig } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { defaults as optimizeDefaults } from '../../../stages/optimize/config.js';
import optimize, { type Context } from '../../../stages/optimize/index.js';

export interface LogLine {
  level: 'info' | 'warn';
  message: string;
  fields?: Record<string, unknown>;
}

export async function stageContext<C, In extends object>(
  config: C,
  inputs: In,
  outputs: Record<string, string>,
): Promise<{ ctx: StageContext<C, In>; logs: LogLine[]; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'ef-stage-'));
  const logs: LogLine[] = [];
  const ctx: StageContext<C, In> = {
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
    options: {},
  };
  return { ctx, logs, dir };
}

/** A MobileNetV2 of this config built into a temp directory and run through the real optimize stage. */
export async function optimizedMobileNetV2(model: ModelConfig): Promise<{ raw: string; optimize: Context }> {
  const inputs = { model: '', validation: '', check_data: {} };
  const { ctx, dir } = await stageContext({ ...optimizeDefaults, inputs: {} }, inputs, optimize.outputs);
  const raw = join(dir, 'model.onnx');
  await writeFile(raw, encodeModel(buildMobileNetV2(model)));
  ctx.inputs = { ...inputs, model: raw, validation: raw };
  const optimized = await optimize.run(ctx);
  assert.ok(optimized.ok, optimized.ok ? '' : optimized.error.message);
  return { raw, optimize: ctx };
}
