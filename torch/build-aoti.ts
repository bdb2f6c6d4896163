/**
 * One AOTInductor build: the optimized graph exported for the torch runner, torch.export'ed and compiled by
 * torch_aoti.py into the `.pt2` package, with a manifest that says what was built and how long export and
 * compile took.
 */
import { writeFile } from 'node:fs/promises';
import { ok, type Result } from '../pipeline/result.js';
import type { StageContext, StageFailure } from '../pipeline/stage.js';
import type { AotiEngineConfig } from './aoti-stage.js';
import { callBuilder, writeGraph } from './python-build.js';

type Built = { header: Record<string, unknown>; exportSeconds: number; compileSeconds: number; bytes: number };

export async function run(ctx: StageContext<AotiEngineConfig>): Promise<Result<void, StageFailure>> {
  const c = ctx.config;
  const name = `engine:torch-aoti:${c.precision}`;
  const tool = ctx.tools['torch-aoti'];
  const model = ctx.inputs.model;
  if (!tool || !model) throw new Error(`Internal error: ${name} ran without its probe result or model`);
  const files = await writeGraph(ctx, model);
  if (!files.ok) return files;
  const request = { ...files.value, precision: c.precision, device: c.device, maxBatch: c.max_batch };
  const { torch, gpu } = tool.fingerprint;
  ctx.log.info(`exporting and compiling ahead of time with torch ${torch} on ${gpu}`);
  const reply = await callBuilder<Built>(ctx, tool, { ...request, out: ctx.out('engine') }, c.timeout_s);
  if (!reply.ok) return reply;
  const { header, exportSeconds, compileSeconds, bytes } = reply.value;
  await writeFile(
    ctx.out('manifest'),
    `${JSON.stringify({ ...header, fingerprint: tool.fingerprint, bytes }, null, 2)}\n`,
  );
  ctx.log.info(`compiled ${name}`, { exportSeconds, compileSeconds, bytes });
  return ok(undefined);
}
