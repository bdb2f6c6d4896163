/**
 * The checker as a library: `validateModel(model)` → a report of errors, warnings and the operators it
 * could not check. It agrees with onnx.checker.check_model(full_check=True) on what it covers (see
 * test/onnx/validate/) and never passes an operator silently: one outside the table is listed as unchecked.
 */
import type { Model } from '../ir.js';
import { defaultOpset, inferGraph, nodeLabel } from '../infer/index.js';
import { isDefaultDomain, lookupOp, MAX_OPSET } from '../schema/lookup.js';
import { checkGraph } from './graph-check.js';
import { checkNode } from './node-check.js';
import type { Issue, UncheckedOp, ValidationReport } from './report.js';

export type { Issue, UncheckedOp, ValidationReport } from './report.js';

/** The highest IR version onnx 1.12 (our reference) reads. */
export const MAX_IR_VERSION = 8;

export interface ValidateOptions {
  /** The opset the model is meant to have (the run config's `model.opset`); a different one is an error. */
  opset?: number;
}

function checkModelHeader(model: Model, opset: number, options: ValidateOptions): Issue[] {
  const issues: Issue[] = [];
  const ir = model.irVersion;
  if (!ir || ir < 1) issues.push({ code: 'missing-ir-version', message: 'the model has no ir_version', field: 'ir_version' });
  else if (ir > MAX_IR_VERSION) issues.push({ code: 'ir-version-too-new', message: `ir_version ${ir} is newer than the checker knows (up to ${MAX_IR_VERSION})`, field: 'ir_version' });
  const imports = model.opsetImports.filter((o) => isDefaultDomain(o.domain));
  if (ir >= 3 && imports.length === 0) issues.push({ code: 'missing-opset-import', message: 'the model imports no opset for the default ONNX domain', field: 'opset_import' });
  if (imports.length > 1) issues.push({ code: 'duplicate-opset-import', message: `the default domain is imported ${imports.length} times`, field: 'opset_import' });
  if (imports.length && opset > MAX_OPSET) issues.push({ code: 'opset-too-new', message: `opset ${opset} is newer than the schema table (opsets 1 to ${MAX_OPSET})`, field: 'opset_import' });
  if (imports.length && opset < 1) issues.push({ code: 'bad-opset', message: `opset ${opset} is not a valid version`, field: 'opset_import' });
  if (options.opset !== undefined && imports.length && opset !== options.opset) {
    issues.push({ code: 'opset-mismatch', message: `the model declares opset ${opset} but the config's model.opset is ${options.opset}`, field: 'opset_import' });
  }
  return issues;
}

export function validateModel(model: Model, options: ValidateOptions = {}): ValidationReport {
  const opset = defaultOpset(model);
  const errors: Issue[] = [...checkModelHeader(model, opset, options), ...checkGraph(model)];
  const warnings: Issue[] = [];
  const unchecked = new Map<string, UncheckedOp>();
  const domains = new Set(model.opsetImports.map((o) => (isDefaultDomain(o.domain) ? '' : o.domain)));
  const inference = inferGraph(model, opset);

  model.graph.nodes.forEach((node, i) => {
    const label = nodeLabel(node, i);
    const add = (code: string, message: string) => errors.push({ code, message, node: label, field: 'op_type' });
    if (!node.opType) return add('empty-op-type', `node ${label} has no op_type`);
    const domain = isDefaultDomain(node.domain) ? '' : node.domain;
    if (!domains.has(domain) && !(domain === '' && model.irVersion < 3)) {
      return add('missing-opset-import', `node ${label} (${node.opType}) is in domain '${node.domain}', which the model does not import`);
    }
    const found = lookupOp(node.opType, opset, node.domain);
    switch (found.kind) {
      case 'found':
        errors.push(...checkNode(node, label, found.schema, inference.types));
        return;
      case 'unknown':
        return add('unknown-op', `node ${label}: ${node.opType} is not an ONNX operator (in any opset up to ${MAX_OPSET})`);
      case 'not-in-opset':
        return add('op-not-in-opset', `node ${label}: ${node.opType} does not exist in opset ${opset}; it first appears in opset ${found.firstSince}`);
      case 'deprecated':
        return add('deprecated-op', `node ${label}: ${node.opType} is deprecated at opset ${opset} (since opset ${found.since})`);
      case 'uncovered': {
        const key = `${domain}::${node.opType}`;
        const entry = unchecked.get(key) ?? { opType: node.opType, domain, nodes: [] };
        entry.nodes.push(label);
        unchecked.set(key, entry);
        return;
      }
    }
  });

  errors.push(...inference.issues);
  for (const u of unchecked.values()) {
    warnings.push({ code: 'unchecked-op', message: `${u.nodes.length} ${u.opType} node(s)${u.domain ? ` in domain '${u.domain}'` : ''} not checked: the operator is outside the schema table`, field: 'op_type' });
  }
  return { ok: errors.length === 0, errors, warnings, unchecked: [...unchecked.values()], opset, irVersion: model.irVersion };
}
