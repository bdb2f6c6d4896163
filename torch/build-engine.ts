/**
 * The PyTorch engine builds that torch_engine.py makes: torch.compile's portable cache (compiled in a fresh
 * inductor cache directory, so the recorded compile time is a cold one) and torch-fused's per-block plan
 * (build-fused.ts), each stored with a manifest that says what was built and how long it took.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, type Result } from '../pipeline/result.js';
import type { StageContext, StageFailure } from '../pipeline/stage.js';
import type { CompileEngineConfig } from './engine-stage.js';
import { callBuilder, writeGraph } from './python-build.js';

type Built = { header: Record<string, unknown>; compileSeconds: Record<string, number>; bytes: number };

/** What both builds need of their config: the batches built for and how long the build may take. */
interface BuildConfig {
  batch_sizes: number[];
  timeout_s: number;
}

export async function run(ctx: StageContext<CompileEngineConfig>): Promise<Result<void, StageFailure>> {
  const c = ctx.config;
  return build(ctx, 'torch-compile', `engine:torch-compile:${c.precision}`, {
    precision: c.precision,
    channelsLast: c.channels_last,
    compileMode: c.compile_mode,
    tf32: c.tf32,
    cudnnBenchmark: c.cudnn_benchmark,
    device: c.device,
    inductorCacheDir: join(ctx.workDir, 'inductor'),
  });
}

/** The graph written where torch_engine.py reads it, the build asked for with `fields`, its engine and manifest. */
export async function build<C extends BuildConfig>(
  ctx: StageContext<C>,
  toolName: string,
  name: string,
  fields: Record<string, unknown>,
): Promise<Result<void, StageFailure>> {
  const c = ctx.config;
  const tool = ctx.tools[toolName];
  const model = ctx.inputs.model;
  if (!tool || !model) throw new Error(`Internal error: ${name} ran without its probe result or model`);
  const files = await writeGraph(ctx, model);
  if (!files.ok) return files;
  const request = { ...files.value, batches: c.batch_sizes, ...fields, out: ctx.out('engine') };
  const { torch, gpu } = tool.fingerprint;
  ctx.log.info(`building at batch ${c.batch_sizes.join(', ')} with torch ${torch} on ${gpu}`);
  const reply = await callBuilder<Built>(ctx, tool, request, c.timeout_s);
  if (!reply.ok) return reply;
  const manifest = { ...reply.value.header, fingerprint: tool.fingerprint, engineBytes: reply.value.bytes };
  await writeFile(ctx.out('manifest'), `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.log.info(`built ${name}`, { seconds: reply.value.compileSeconds, bytes: reply.value.bytes });
  return ok(undefined);
}
