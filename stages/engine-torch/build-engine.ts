/**
 * One compiled-engine build: the optimized graph exported for the torch runner, compiled by torch_engine.py
 * in a fresh inductor cache directory (so the recorded compile time is a cold one), and its portable cache
 * written as the engine, with a manifest that says what was compiled and how long it took.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/reason.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import { exportForTorch } from '../../torch/graph-export.js';
import type { CompileEngineConfig } from './engine-stage.js';

type BuildReply =
  | { ok: true; header: Record<string, unknown>; compileSeconds: Record<string, number>; bytes: number }
  | { ok: false; reason: string };

export function parseReply(stdout: string): BuildReply | undefined {
  try {
    const reply = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as BuildReply;
    return typeof reply?.ok === 'boolean' ? reply : undefined;
  } catch {
    return undefined;
  }
}

export async function run(ctx: StageContext<CompileEngineConfig>): Promise<Result<void, StageFailure>> {
  const c = ctx.config;
  const name = `engine:torch-compile:${c.precision}`;
  const tool = ctx.tools['torch-compile'];
  const model = ctx.inputs.model;
  if (!tool || !model) throw new Error(`Internal error: ${name} ran without its probe result or model`);
  const exported = exportForTorch(await readFile(model), 'model.opt.onnx');
  if (!exported.ok) return fail('bad-input', exported.error);
  const graph = join(ctx.workDir, 'graph.json');
  const weights = join(ctx.workDir, 'weights.bin');
  await writeFile(graph, JSON.stringify(exported.value.graph));
  await writeFile(weights, exported.value.weights);
  const request = {
    graph,
    weights,
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
  const [python, script] = tool.command;
  const timeoutMs = c.timeout_s * 1000;
  const build = await ctx.exec(python!, [script!], { input: JSON.stringify(request), timeoutMs, signal: ctx.signal });
  if (build.timedOut) {
    return fail('tool-failed', `the compile ran longer than bench.torch.timeout_s (${c.timeout_s} s) and was stopped`);
  }
  const reply = parseReply(build.stdout);
  if (build.exitCode !== 0 || !reply) {
    const last = build.stderr.trim().split('\n').filter(Boolean).slice(-3);
    const what = `${script} exited ${build.exitCode ?? build.signal} without a reply`;
    return fail('tool-failed', what, last.length ? last : undefined);
  }
  if (!reply.ok) return fail('tool-failed', reply.reason);
  const manifest = { ...reply.header, fingerprint: tool.fingerprint, engineBytes: reply.bytes };
  await writeFile(ctx.out('manifest'), `${JSON.stringify(manifest, null, 2)}\n`);
  ctx.log.info(`compiled ${name}`, { compileSeconds: reply.compileSeconds, bytes: reply.bytes });
  return ok(undefined);
}
