/**
 * What the PyTorch engine builds (torch_engine.py, torch_aoti.py) do around their Python: write the optimized
 * graph where the runner's module reads it and the benchmark's inputs as the runner reads them, send one JSON
 * request, and turn the reply, a timeout or a crash into the stage's result.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { InputsConfig } from '../onnx/inputs/index.js';
import { readModelFile } from '../onnx/serde.js';
import { ok, type Result } from '../pipeline/result.js';
import { fail } from '../pipeline/cause.js';
import { decline, type Declined, type StageContext, type StageFailure, type ToolFound } from '../pipeline/stage.js';
import { feedsOf, type BenchInputs } from '../measure/feeds.js';
import { checkSource, type CheckFiles } from '../source/check-source.js';
import { exportForTorch } from './graph-export.js';

declare module '../pipeline/cause.js' {
  /** torch.export or AOTInductor refused what the model does (a data-dependent shape): the build declines. */
  interface StageCauses {
    'unsupported-model': true;
  }
}

/** The `ctx` of a compiled-engine build: its config, the latest model and the check data (its shapes count). */
export type PythonBuildContext<C> = StageContext<C, { readonly model: string } & CheckFiles>;

/** `cause`: torch refused the model (torch_aoti.py: its export or compile), which is no failure of the build. */
type Reply<T> = ({ ok: true } & T) | { ok: false; message: string; cause?: 'unsupported-model' };

export function parseReply<T>(stdout: string): Reply<T> | undefined {
  try {
    const reply = JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as Reply<T>;
    return typeof reply?.ok === 'boolean' ? reply : undefined;
  } catch {
    return undefined;
  }
}

/** The model as the torch runner's graph.json and weights.bin in `dir`. */
export async function writeGraph(
  dir: string,
  bytes: Uint8Array,
  name: string,
): Promise<Result<{ graph: string; weights: string }, string>> {
  const exported = exportForTorch(bytes, name);
  if (!exported.ok) return exported;
  const graph = join(dir, 'graph.json');
  const weights = join(dir, 'weights.bin');
  await writeFile(graph, JSON.stringify(exported.value.graph));
  await writeFile(weights, exported.value.weights);
  return ok({ graph, weights });
}

/**
 * The graph in the stage's work directory and the benchmark's inputs for it: resolved by the benchmark's own
 * function from the same config fields and check data (measure/feeds.ts `feedsOf`). The values are seeded
 * apart from the benchmark's (its seed stays out of the key): only shapes, element types and check data decide
 * what is compiled.
 */
export async function prepareBuild(
  ctx: PythonBuildContext<{ inputs: InputsConfig }>,
  model: string,
): Promise<Result<{ graph: string; weights: string; feeds: BenchInputs }, StageFailure>> {
  const decoded = await readModelFile(model);
  if (!decoded.ok) return fail('bad-input', decoded.error);
  const source = await checkSource(ctx, decoded.value);
  const feeds = source.ok ? feedsOf(decoded.value, source.value, 0) : source;
  if (!feeds.ok) return fail('bad-input', `${basename(model)}: ${feeds.error}`);
  const files = await writeGraph(ctx.workDir, await readFile(model), 'model.opt.onnx');
  if (!files.ok) return fail('bad-input', files.error);
  return ok({ ...files.value, feeds: feeds.value });
}

/**
 * Runs the tool's script on one request; its reply when it says ok, a decline when it declines the model,
 * else the stage's one-line failure.
 */
export async function callBuilder<T>(
  ctx: Pick<StageContext<unknown>, 'exec' | 'signal'>,
  tool: ToolFound,
  request: Record<string, unknown>,
  timeoutS: number,
): Promise<Result<T | Declined, StageFailure>> {
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
  if (reply.ok) return ok(reply);
  return reply.cause === 'unsupported-model'
    ? decline(reply.message, undefined, reply.cause)
    : fail('tool-failed', reply.message);
}
