/**
 * One AOTInductor build: the optimized graph exported for the torch runner, torch.export'ed and compiled by
 * torch_aoti.py into the `.pt2` package, with a manifest that says what was built and how long export and
 * compile took. A model torch.export or AOTInductor refuses (a data-dependent shape) declines the stage as
 * `unsupported-model`; any other failure fails it.
 */
import { writeFile } from 'node:fs/promises';
import { fail } from '../pipeline/cause.js';
import { ok, type Result } from '../pipeline/result.js';
import type { Declined, StageFailure } from '../pipeline/stage.js';
import type { Context } from './aoti-stage.js';
import type { BenchInputs } from '../measure/feeds.js';
import { writeInputs } from './input-files.js';
import { callBuilder, prepareBuild } from './python-build.js';

type Built = { header: Record<string, unknown>; exportSeconds: number; compileSeconds: number; bytes: number };

/** torch.export names a dynamic dimension's bounds; 0 and 1 are specialised by export, so the example batch is 2. */
const EXAMPLE_BATCH = 2;

/** Input name → the axis of its batch dimension, for every input that has one. */
const axesOf = (specs: BenchInputs['specs']): Record<string, number> =>
  Object.fromEntries(specs.flatMap((s) => (s.shape.includes('N') ? [[s.name, s.shape.indexOf('N')]] : [])));

export async function run(ctx: Context): Promise<Result<void | Declined, StageFailure>> {
  const c = ctx.config;
  const name = `engine:torch-aoti:${c.precision}`;
  const tool = ctx.tools['torch-aoti'];
  const model = ctx.inputs.model;
  if (!tool || !model) throw new Error(`Internal error: ${name} ran without its probe result or model`);
  const prepared = await prepareBuild(ctx, model);
  if (!prepared.ok) return prepared;
  const { feeds, ...files } = prepared.value;
  // The benchmark's inputs at one batch, the example export traces; the batch dimension, where the model has
  // one, is exported dynamic at the place the inputs config resolved it to.
  const batch = feeds.fixedBatch ?? EXAMPLE_BATCH;
  const inputs = await writeInputs(ctx.workDir, feeds, [batch]);
  if (!inputs.ok) return fail('bad-input', inputs.error);
  const batchAxes = axesOf(feeds.specs);
  const { precision, device, max_batch: maxBatch } = c;
  const request = {
    ...files,
    inputs: inputs.value,
    batch,
    batchAxes,
    precision,
    device,
    maxBatch,
    out: ctx.out('engine'),
  };
  const { torch, gpu } = tool.fingerprint;
  ctx.log.info(`exporting and compiling ahead of time with torch ${torch} on ${gpu}`);
  const reply = await callBuilder<Built>(ctx, tool, request, c.timeout_s);
  if (!reply.ok) return reply;
  if ('declined' in reply.value) return ok(reply.value);
  const { header, exportSeconds, compileSeconds, bytes } = reply.value;
  await writeFile(
    ctx.out('manifest'),
    `${JSON.stringify({ ...header, fingerprint: tool.fingerprint, bytes }, null, 2)}\n`,
  );
  ctx.log.info(`compiled ${name}`, { exportSeconds, compileSeconds, bytes });
  return ok(undefined);
}
