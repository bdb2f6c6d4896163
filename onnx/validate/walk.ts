/**
 * The main graph and every graph nested in its nodes, depth first: each graph's well-formedness with its
 * enclosing graphs' names visible, each node against its schema, each If/Loop/Scan body against its node.
 * Issues inside a nested graph say which node holds it and which attribute it is.
 */
import { unreachable } from '../../pipeline/unreachable.js';
import type { Graph, Model, Node, TensorType } from '../ir.js';
import { bodyPath, nodeLabel, type Inference } from '../infer/index.js';
import { isDefaultDomain, lookupOp, MAX_OPSET } from '../schema/lookup.js';
import { bodiesOf, hasBodies } from '../subgraph.js';
import { checkBodies } from './bodies.js';
import { checkGraph, type Outer } from './graph-check.js';
import { checkNode } from './node-check.js';
import type { Issue, UncheckedOp } from './report.js';

interface Walk {
  model: Model;
  opset: number;
  /** Domain ('' for the default one) → the version the model imports. */
  imports: ReadonlyMap<string, number>;
  inference: Inference;
  errors: Issue[];
  unchecked: Map<string, UncheckedOp>;
  checked: number;
  /** Nested graph path → how messages name it. */
  described: Map<string, string>;
}

type Types = { get(name: string): TensorType | undefined };

type Walked = Pick<Walk, 'errors' | 'unchecked' | 'checked'>;

export function walkModel(model: Model, opset: number, inference: Inference): Walked {
  const imports = new Map(model.opsetImports.map((o) => [isDefaultDomain(o.domain) ? '' : o.domain, o.version]));
  const w: Walk = {
    model,
    opset,
    imports,
    inference,
    errors: [],
    unchecked: new Map(),
    checked: 0,
    described: new Map(),
  };
  walkGraph(w, model.graph, inference.types, '');
  for (const issue of inference.issues) w.errors.push(inGraph(w, issue, issue.graph ?? ''));
  return { errors: w.errors, unchecked: w.unchecked, checked: w.checked };
}

function inGraph(w: Walk, issue: Issue, path: string): Issue {
  if (!path) return issue;
  return { ...issue, message: `in ${w.described.get(path) ?? path}: ${issue.message}`, graph: path };
}

function walkGraph(w: Walk, g: Graph, types: Types, path: string, outer?: Outer): void {
  const { issues, defs } = checkGraph(g, !path, w.model.irVersion, outer);
  for (const issue of issues) w.errors.push(inGraph(w, issue, path));
  g.nodes.forEach((node, i) => {
    const label = nodeLabel(node, i);
    for (const issue of checkOperator(w, node, label, types, path)) w.errors.push(inGraph(w, issue, path));
    if (!hasBodies(node)) return;
    const bodies = bodiesOf(node);
    if (!bodies.ok) {
      const issue = { code: 'bad-body', message: `${node.opType} node ${label}: ${bodies.error}`, node: label };
      w.errors.push(inGraph(w, issue, path));
      return;
    }
    for (const issue of checkBodies(node, label, bodies.value, w.opset)) w.errors.push(inGraph(w, issue, path));
    for (const body of bodies.value) {
      const inner = bodyPath(path, label, body.attribute);
      const parent = path ? ` (in ${w.described.get(path) ?? path})` : '';
      w.described.set(inner, `the ${body.attribute} of ${node.opType} node '${label}'${parent}`);
      const scope = w.inference.bodies.get(body.graph) ?? new Map<string, TensorType>();
      walkGraph(w, body.graph, scope, inner, { defs, at: i, parent: outer });
    }
  });
}

/** The node against its operator's schema; an operator outside the table is recorded as unchecked. */
function checkOperator(w: Walk, node: Node, label: string, types: Types, path: string): Issue[] {
  const fail = (code: string, message: string): Issue[] => [{ code, message, node: label, field: 'op_type' }];
  if (!node.opType) return fail('empty-op-type', `node ${label} has no op_type`);
  const domain = isDefaultDomain(node.domain) ? '' : node.domain;
  const version = importedVersion(w, domain);
  if (version === undefined) {
    const what = `node ${label} (${node.opType}) is in domain '${node.domain}', which the model does not import`;
    return fail('missing-opset-import', what);
  }
  const which = domain ? `version ${version} of domain '${domain}'` : `opset ${version}`;
  const found = lookupOp(node.opType, version, domain);
  switch (found.kind) {
    case 'found':
      w.checked++;
      return checkNode(node, label, found.schema, types);
    case 'unknown':
      return fail(
        'unknown-op',
        domain
          ? `node ${label}: ${node.opType} is not an operator of domain '${domain}'`
          : `node ${label}: ${node.opType} is not an ONNX operator (in any opset up to ${MAX_OPSET})`,
      );
    case 'not-in-opset':
      return fail(
        'op-not-in-opset',
        `node ${label}: ${node.opType} does not exist in ${which};` +
          ` it first appears in ${domain ? 'version' : 'opset'} ${found.firstSince}`,
      );
    case 'deprecated':
      return fail('deprecated-op', `node ${label}: ${node.opType} is deprecated at ${which} (since ${found.since})`);
    case 'uncovered':
      noteUnchecked(w, node.opType, domain, path ? `${path}/${label}` : label);
      return [];
    default:
      return unreachable(found);
  }
}

/** The version of `domain` the model imports. An IR 1-2 model may leave the default domain's import out. */
const importedVersion = (w: Walk, domain: string): number | undefined =>
  domain ? w.imports.get(domain) : w.imports.has('') || w.model.irVersion < 3 ? w.opset : undefined;

/** An operator outside the table: recorded once, with every node (`at`, its graph's path and label) using it. */
function noteUnchecked(w: Walk, opType: string, domain: string, at: string): void {
  const key = `${domain}::${opType}`;
  const entry = w.unchecked.get(key) ?? { opType, domain, nodes: [] };
  entry.nodes.push(at);
  w.unchecked.set(key, entry);
}
