import { writeFile } from 'node:fs/promises';
import { describeCounts, describeIssue, validateFile } from '../../onnx/validate/file.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/reason.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import type { ValidateConfig } from './config.js';

/** How many further errors the failure lists under its message. */
const MAX_DETAILS = 20;

export async function run(ctx: StageContext<ValidateConfig>): Promise<Result<void, StageFailure>> {
  const path = ctx.inputs.model;
  if (!path) throw new Error('Internal error: validate ran without its model input');
  const checked = await validateFile(path);
  if (!checked.ok) return fail('bad-input', checked.error);
  const report = checked.value;
  const unchecked = report.unchecked.map((u) => `${u.domain ? `${u.domain}::` : ''}${u.opType} (${u.nodes.length})`);
  if (ctx.config.fail_on_unchecked && unchecked.length > 0) {
    return fail(
      'check-failed',
      `${path}: operators outside the schema table: ${unchecked.join(', ')}; ` +
        'set validate.fail_on_unchecked: false to accept them unchecked',
    );
  }
  const [first, ...rest] = report.errors;
  // The user's own file is at fault (exit 2), named as they gave it; a built model that fails is our bug.
  const given = ctx.display?.['path'];
  if (first) {
    const what = `${given !== undefined ? `model ${given}` : path} is not a valid opset-${report.opset} model`;
    return fail(given !== undefined ? 'user-error' : 'check-failed', `${what}: ${describeIssue(first)}`, [
      ...rest.slice(0, MAX_DETAILS).map(describeIssue),
      ...(rest.length > MAX_DETAILS ? [`... and ${rest.length - MAX_DETAILS} more errors`] : []),
    ]);
  }
  for (const w of report.warnings) ctx.log.warn(describeIssue(w));
  await writeFile(ctx.out('report'), `${JSON.stringify(report, null, 2)}\n`);
  ctx.log.info(`valid opset-${report.opset} model: ${describeCounts(report.nodes)}`, {
    opset: report.opset,
    irVersion: report.irVersion,
    ...report.nodes,
  });
  return ok(undefined);
}
