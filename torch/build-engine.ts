/**
 * The PyTorch engine builds that torch_engine.py makes: torch.compile's portable cache (compiled in a fresh
 * inductor cache directory, so the recorded compile time is a cold one) and torch-fused's per-block plan
 * (build-fused.ts), each stored with a manifest that says what was built and how long it took.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InputsConfig } from '../onnx/inputs/index.js';
import { fail } from '../pipeline/cause.js';
import { ok, type Result } from '../pipeline/result.js';
import { decline, type Declined, type StageFailure } from '../pipeline/stage.js';
import type { Context } from './engine-stage.js';
import { writeInputs } from './input-files.js';
import { callBuilder, prepareBuild, type PythonBuildContext } from './python-build.js';

type Built = { header: Record<string, unknown>; compileSeconds: Record<string, number>; bytes: number };

/** What both builds need of their config: the batches built for, the model's inputs, how long it may take. */
interface BuildConfig {
  batch_sizes: number[];
  timeout_s: number;
  inputs: InputsConfig;
}

export async function run(ctx: Context): Promise<Result<void | Declined, StageFailure>> {
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

/**
 * The graph and the benchmark's inputs at every batch the benchmark will run (a model whose batch is fixed runs
 * at that batch only) written where torch_engine.py reads them, the build asked for with `fields`, its engine
 * and manifest.
 */
export async function build<C extends BuildConfig>(
  ctx: PythonBuildContext<C>,
  toolName: string,
  name: string,
  fields: Record<string, unknown>,
): Promise<Result<void | Declined, StageFailure>> {
  const c = ctx.config;
  const tool = ctx.tools[toolName];
  const model = ctx.inputs.model;
  if (!tool || !model) throw new Error(`Internal error: ${name} ran without its probe result or model`);
  const prepared = await prepareBuild(ctx, model);
  if (!prepared.ok) return prepared;
  const { feeds, ...files } = prepared.value;
  const fixed = feeds.fixedBatch;
  const batches = c.batch_sizes.filter((b) => fixed === undefined || b === fixed);
  if (batches.length === 0) {
    return decline(`the model takes batch ${fixed} only, which no batch size of this build names: nothing to build`);
  }
  const inputs = await writeInputs(ctx.workDir, feeds, batches);
  if (!inputs.ok) return fail('bad-input', inputs.error);
  const request = { ...files, inputs: inputs.value, batches, ...fields, out: ctx.out('engine') };
  const { torch, gpu } = tool.fingerprint;
  ctx.log.info(`building at batch ${batches.join(', ')} with torch ${torch} on ${gpu}`);
  const reply = await callBuilder<Built>(ctx, tool, request, c.timeout_s);
  if (!reply.ok) return reply;
  if ('declined' in reply.value) return ok(reply.value);
  const manifest = { ...reply.value.header, fingerprint: tool.fingerprint, engineBytes: reply.value.bytes };
  await writeFile(ctx.out('manifest'), `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.log.info(`built ${name}`, { seconds: reply.value.compileSeconds, bytes: reply.value.bytes });
  return ok(undefined);
}
