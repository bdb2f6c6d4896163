/**
 * What both PyTorch engine builds (torch_engine.py, torch_aoti.py) do around their Python: write the optimized
 * graph where the runner's module reads it, send one JSON request, and turn the reply, a timeout or a crash into
 * the stage's result.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ok, type Result } from '../pipeline/result.js';
import { fail } from '../pipeline/cause.js';
import type { StageContext, StageFailure, ToolFound } from '../pipeline/stage.js';
import { exportForTorch } from './graph-export.js';

type Reply<T> = ({ ok: true } & T) | { ok: false; message: string };

export function parseReply<T>(stdout: string): Reply<T> | undefined {
  try {
    const reply = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Reply<T>;
    return typeof reply?.ok === 'boolean' ? reply : undefined;
  } catch {
    return undefined;
  }
}

/** The model as the torch runner's graph.json and weights.bin in the stage's work directory. */
export async function writeGraph(
  ctx: StageContext<unknown>,
  model: string,
): Promise<Result<{ graph: string; weights: string }, StageFailure>> {
  const exported = exportForTorch(await readFile(model), 'model.opt.onnx');
  if (!exported.ok) return fail('bad-input', exported.error);
  const graph = join(ctx.workDir, 'graph.json');
  const weights = join(ctx.workDir, 'weights.bin');
  await writeFile(graph, JSON.stringify(exported.value.graph));
  await writeFile(weights, exported.value.weights);
  return ok({ graph, weights });
}

/** Runs the tool's script on one request; its reply when it says ok, else the stage's one-line failure. */
export async function callBuilder<T>(
  ctx: StageContext<unknown>,
  tool: ToolFound,
  request: Record<string, unknown>,
  timeoutS: number,
): Promise<Result<T, StageFailure>> {
  const [python, script] = tool.command;
  const timeoutMs = timeoutS * 1000;
  const build = await ctx.exec(python!, [script!], { input: JSON.stringify(request), timeoutMs, signal: ctx.signal });
  if (build.timedOut) {
    return fail('tool-failed', `the build ran longer than bench.torch.timeout_s (${timeoutS} s) and was stopped`);
  }
  const reply = parseReply<T>(build.stdout);
  if (build.exitCode !== 0 || !reply) {
    const last = build.stderr.trim().split('\n').filter(Boolean).slice(-3);
    const what = `${script} exited ${build.exitCode ?? build.signal} without a reply`;
    return fail('tool-failed', what, last.length ? last : undefined);
  }
  return reply.ok ? ok(reply) : fail('tool-failed', reply.message);
}
