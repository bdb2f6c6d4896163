/**
 * The checker as a library: `validateModel(model)` → a report of errors, warnings and the operators it
 * could not check. It agrees with onnx.checker.check_model(full_check=True) on what it covers (see
 * test/onnx/validate/) and never passes an operator silently: one outside the table is listed as unchecked.
 * A model is checked against the opsets it imports itself.
 */
import type { Model } from '../ir.js';
import { defaultOpset, inferGraph } from '../infer/index.js';
import { isDefaultDomain, isKnownDomain, MAX_OPSET } from '../schema/lookup.js';
import { countNodes } from '../subgraph.js';
import type { Issue, ValidationReport } from './report.js';
import { walkModel } from './walk.js';

export type { Issue, NodeCounts, UncheckedOp, ValidationReport } from './report.js';

/** The highest IR version the checker reads: IR 10 is onnx 1.16's, that of opset 21. */
export const MAX_IR_VERSION = 10;

function checkModelHeader(model: Model, opset: number): Issue[] {
  const issues: Issue[] = [];
  const ir = model.irVersion;
  if (!ir || ir < 1)
    issues.push({ code: 'missing-ir-version', message: 'the model has no ir_version', field: 'ir_version' });
  else if (ir > MAX_IR_VERSION)
    issues.push({
      code: 'ir-version-too-new',
      message: `ir_version ${ir} is newer than the checker knows (up to ${MAX_IR_VERSION})`,
      field: 'ir_version',
    });
  const imports = model.opsetImports.filter((o) => isDefaultDomain(o.domain));
  if (ir >= 3 && imports.length === 0)
    issues.push({
      code: 'missing-opset-import',
      message: 'the model imports no opset for the default ONNX domain',
      field: 'opset_import',
    });
  if (imports.length > 1)
    issues.push({
      code: 'duplicate-opset-import',
      message: `the default domain is imported ${imports.length} times`,
      field: 'opset_import',
    });
  if (imports.length && opset > MAX_OPSET)
    issues.push({
      code: 'opset-too-new',
      message: `opset ${opset} is newer than the schema table (opsets 1 to ${MAX_OPSET})`,
      field: 'opset_import',
    });
  if (imports.length && opset < 1)
    issues.push({ code: 'bad-opset', message: `opset ${opset} is not a valid version`, field: 'opset_import' });
  return issues;
}

function uncheckedWarning(u: { opType: string; domain: string; nodes: string[] }): Issue {
  const why = !u.domain
    ? 'the operator is outside the schema table'
    : isKnownDomain(u.domain)
      ? `the schema table knows the operators of '${u.domain}' by name only`
      : `domain '${u.domain}' is outside the schema table`;
  const where = u.domain ? ` in domain '${u.domain}'` : '';
  const message = `${u.nodes.length} ${u.opType} node(s)${where} not checked: ${why}`;
  return { code: 'unchecked-op', message, field: 'op_type' };
}

export function validateModel(model: Model): ValidationReport {
  const opset = defaultOpset(model);
  const inference = inferGraph(model, opset);
  const walked = walkModel(model, opset, inference);
  const errors = [...checkModelHeader(model, opset), ...walked.errors];
  const unchecked = [...walked.unchecked.values()];
  const counted = countNodes(model.graph);
  const nodes = { ...counted, checked: walked.checked, unchecked: unchecked.reduce((n, u) => n + u.nodes.length, 0) };
  const warnings = unchecked.map(uncheckedWarning);
  return { ok: errors.length === 0, errors, warnings, unchecked, nodes, opset, irVersion: model.irVersion };
}
