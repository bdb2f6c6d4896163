/**
 * The `validate` stage: our own opset-aware checker over the built model. Errors fail the run with one
 * message naming the file and the node or field; the full report is `validation.json`.
 */
import { writeFile } from 'node:fs/promises';
import { err, ok } from '../../pipeline/result.js';
import { defineStage, type StageFailure } from '../../pipeline/stage.js';
import { describeIssue, validateFile } from '../../onnx/validate/file.js';
import { validateConfig, type ValidateConfig } from './config.js';

/** How many further errors the failure lists under its message. */
const MAX_DETAILS = 20;

export default defineStage<ValidateConfig>({
  name: 'validate',
  version: 1,
  description: 'Checks the ONNX model against the opset-aware schema table, graph rules and shape inference',
  config: validateConfig,
  inputs: { model: { stage: 'build', output: 'model' } },
  outputs: { report: 'validation.json' },
  async run(ctx) {
    const path = ctx.inputs.model;
    if (!path) throw new Error('Internal error: validate ran without its model input');
    const checked = await validateFile(path, { opset: ctx.config.opset });
    if (!checked.ok) return err<StageFailure>({ message: `validate: ${checked.error}` });
    const report = checked.value;
    const unchecked = report.unchecked.map((u) => `${u.domain ? `${u.domain}::` : ''}${u.opType} (${u.nodes.length})`);
    if (ctx.config.fail_on_unchecked && unchecked.length > 0) {
      return err<StageFailure>({
        message: `validate: ${path}: operators outside the schema table: ${unchecked.join(', ')}; set validate.fail_on_unchecked: false to accept them unchecked`,
      });
    }
    const [first, ...rest] = report.errors;
    if (first) {
      return err<StageFailure>({
        message: `validate: ${path} is not a valid opset-${report.opset} model: ${describeIssue(first)}`,
        details: [
          ...rest.slice(0, MAX_DETAILS).map(describeIssue),
          ...(rest.length > MAX_DETAILS ? [`... and ${rest.length - MAX_DETAILS} more errors`] : []),
        ],
      });
    }
    for (const w of report.warnings) ctx.log.warn(describeIssue(w));
    await writeFile(ctx.out('report'), `${JSON.stringify(report, null, 2)}\n`);
    ctx.log.info(`valid opset-${report.opset} model: ${report.warnings.length} warnings, ${unchecked.length} unchecked operators`, { opset: report.opset, irVersion: report.irVersion });
    return ok(undefined);
  },
});
