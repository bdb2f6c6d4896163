import { writeFile } from 'node:fs/promises';
import { sortModel } from '../../onnx/rewrite/topo-sort.js';
import { readModelFile } from '../../onnx/serde.js';
import { validateModel, type ValidationReport } from '../../onnx/validate/index.js';
import { describeCounts, describeIssue } from '../../onnx/validate/file.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { Context } from './index.js';

/** How many further errors the failure lists under its message. */
const MAX_DETAILS = 20;

/**
 * The report, and how many nodes were out of topological order. Such a graph (onnx.checker refuses it,
 * onnxruntime sorts it on load and runs it) is judged as sorted; the later stages sort it the same way.
 */
async function check(path: string): Promise<Result<{ report: ValidationReport; unsorted: number }, string>> {
  const model = await readModelFile(path);
  if (!model.ok) return model;
  const report = validateModel(model.value);
  if (report.errors.length === 0 || report.errors.some((e) => e.code !== 'not-topological'))
    return ok({ report, unsorted: 0 });
  const unsorted = sortModel(model.value);
  return unsorted === 0 ? ok({ report, unsorted }) : ok({ report: validateModel(model.value), unsorted });
}

export async function run(ctx: Context): Promise<Result<void, StageFailure>> {
  const stored = ctx.inputs.model;
  // Messages name the user's file, not the store's copy of it (latest/model.onnx); a built model has no file.
  const path = ctx.inputs.source ?? stored;
  const checked = await check(stored);
  // A model that cannot be read or is not valid is a bad model: exit 2, as the README promises (pipeline/reason.ts).
  if (!checked.ok) return fail('user-error', checked.error.replaceAll(stored, path));
  const { report, unsorted } = checked.value;
  const unchecked = report.unchecked.map((u) => `${u.domain ? `${u.domain}::` : ''}${u.opType} (${u.nodes.length})`);
  if (ctx.config.fail_on_unchecked && unchecked.length > 0) {
    return fail(
      'check-failed',
      `${path}: operators outside the schema table: ${unchecked.join(', ')}; ` +
        'set validate.fail_on_unchecked: false to accept them unchecked',
    );
  }
  const [first, ...rest] = report.errors;
  // The user's own file is named as they gave it (relative to where they ran the command).
  const given = ctx.display?.['path'];
  if (first) {
    const what = `${given !== undefined ? `model ${given}` : path} is not a valid opset-${report.opset} model`;
    return fail('user-error', `${what}: ${describeIssue(first)}`, [
      ...rest.slice(0, MAX_DETAILS).map(describeIssue),
      ...(rest.length > MAX_DETAILS ? [`... and ${rest.length - MAX_DETAILS} more errors`] : []),
    ]);
  }
  if (unsorted > 0)
    ctx.log.warn(`${path}: ${unsorted} nodes were out of topological order; sorted, and the model goes on sorted`);
  for (const w of report.warnings) ctx.log.warn(describeIssue(w));
  await writeFile(ctx.out('report'), `${JSON.stringify({ ...report, unsorted }, null, 2)}\n`);
  ctx.log.info(`valid opset-${report.opset} model: ${describeCounts(report.nodes)}`, {
    opset: report.opset,
    irVersion: report.irVersion,
    ...report.nodes,
  });
  return ok(undefined);
}
