/**
 * One compiled-engine build: the optimized graph exported for the torch runner, compiled by torch_engine.py
 * in a fresh inductor cache directory (so the recorded compile time is a cold one), and its portable cache
 * written as the engine, with a manifest that says what was compiled and how long it took.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import type { CompileEngineConfig } from './engine-stage.js';
import { callBuilder, writeGraph } from './python-build.js';

type Built = { header: Record<string, unknown>; compileSeconds: Record<string, number>; bytes: number };

export async function run(ctx: StageContext<CompileEngineConfig>): Promise<Result<void, StageFailure>> {
  const c = ctx.config;
  const name = `engine:torch-compile:${c.precision}`;
  const tool = ctx.tools['torch-compile'];
  const model = ctx.inputs.model;
  if (!tool || !model) throw new Error(`Internal error: ${name} ran without its probe result or model`);
  const files = await writeGraph(ctx, model);
  if (!files.ok) return files;
  const request = {
    ...files.value,
    precision: c.precision,
    batches: c.batch_sizes,
    channelsLast: c.channels_last,
    compileMode: c.compile_mode,
    tf32: c.tf32,
    cudnnBenchmark: c.cudnn_benchmark,
    device: c.device,
    inductorCacheDir: join(ctx.workDir, 'inductor'),
    out: ctx.out('engine'),
  };
  const { torch, gpu } = tool.fingerprint;
  ctx.log.info(`compiling at batch ${c.batch_sizes.join(', ')} with torch ${torch} on ${gpu}`);
  const reply = await callBuilder<Built>(ctx, tool, request, c.timeout_s);
  if (!reply.ok) return reply;
  const manifest = { ...reply.value.header, fingerprint: tool.fingerprint, engineBytes: reply.value.bytes };
  await writeFile(ctx.out('manifest'), `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.log.info(`compiled ${name}`, { compileSeconds: reply.value.compileSeconds, bytes: reply.value.bytes });
  return ok(undefined);
}
