/**
 * One node against the version of its operator that applies at the model's opset: input and output
 * counts, omitted single inputs, attribute names, types and required ones, and the type constraints on
 * the tensors it reads and writes (what onnx.checker's full check enforces).
 */
import { DType, type Attribute, type Node, type TensorType } from '../ir.js';
import { DTypeName } from '../infer/index.js';
import type { AttrType, OpVersion, ParamSchema } from '../schema/types.js';
import type { Issue } from './report.js';
import { tensorProblem } from './tensor-check.js';

const PROTO_ATTR: Record<number, AttrType> = {
  1: 'float',
  2: 'int',
  3: 'string',
  4: 'tensor',
  5: 'graph',
  11: 'sparse_tensor',
  13: 'type_proto',
  6: 'floats',
  7: 'ints',
  8: 'strings',
  9: 'tensors',
  10: 'graphs',
  12: 'sparse_tensors',
  14: 'type_protos',
};

function attrType(a: Attribute): AttrType | undefined {
  const declared = a.proto?.type;
  if (declared) return PROTO_ATTR[declared];
  return a.value.kind === 'opaque' ? undefined : a.value.kind;
}

const typeStrings = new Map<DType, string>();
function tensorTypeString(d: DType): string {
  let s = typeStrings.get(d);
  if (s === undefined) typeStrings.set(d, (s = `tensor(${DTypeName(d)})`));
  return s;
}

/** A schema's allowed type strings per type parameter (or literal type), as sets: looked up for every operand. */
const allowedSets = new WeakMap<OpVersion, Map<string, ReadonlySet<string>>>();
function allowedTypes(schema: OpVersion, type: string): ReadonlySet<string> {
  let bySchema = allowedSets.get(schema);
  if (!bySchema) allowedSets.set(schema, (bySchema = new Map()));
  let set = bySchema.get(type);
  if (!set) bySchema.set(type, (set = new Set(schema.types[type] ?? [type])));
  return set;
}

const specs = new WeakMap<OpVersion, ReadonlyMap<string, OpVersion['attributes'][number]>>();
function attributeSpecs(schema: OpVersion): ReadonlyMap<string, OpVersion['attributes'][number]> {
  let known = specs.get(schema);
  if (!known) specs.set(schema, (known = new Map(schema.attributes.map((a) => [a.name, a]))));
  return known;
}

/** The formal parameter that actual position i maps to (a variadic one takes every remaining position). */
function formal(params: readonly ParamSchema[], i: number): ParamSchema | undefined {
  const last = params[params.length - 1];
  return i < params.length ? params[i] : last?.kind === 'variadic' ? last : undefined;
}

type Add = (code: string, message: string, field?: string) => void;
type Types = { get(name: string): TensorType | undefined };

export function checkNode(node: Node, label: string, schema: OpVersion, types: Types): Issue[] {
  const issues: Issue[] = [];
  const add: Add = (code, message, field) => {
    const where = `${node.opType} ${label} (${node.opType}-${schema.since})`;
    issues.push({ code, message: `${where}: ${message}`, node: label, field });
  };
  checkCounts(node, schema, add);
  checkAttributes(node, schema, add);
  checkTypes(node, schema, types, add);
  return issues;
}

/** Input and output counts, and no empty name where a single (non-optional) parameter is required. */
function checkCounts(node: Node, schema: OpVersion, add: Add): void {
  const counts: [string, readonly string[], number, number, readonly ParamSchema[]][] = [
    ['input', node.inputs, schema.minInputs, schema.maxInputs, schema.inputs],
    ['output', node.outputs, schema.minOutputs, schema.maxOutputs, schema.outputs],
  ];
  for (const [what, names, min, max, params] of counts) {
    if (names.length < min || names.length > max) {
      const range = min === max ? `${min}` : max > 1e9 ? `at least ${min}` : `${min} to ${max}`;
      add(`${what}-count`, `has ${names.length} ${what}s; this version takes ${range}`, `${what}s`);
    }
    names.forEach((name, i) => {
      const p = formal(params, i);
      if (!name && p?.kind === 'single')
        add(`missing-${what}`, `${what} ${i} ('${p.name}') is required but empty`, `${what}[${i}]`);
    });
  }
}

/** Every attribute known to this version, of its declared type, with a sound tensor; every required one given. */
function checkAttributes(node: Node, schema: OpVersion, add: Add): void {
  const known = attributeSpecs(schema);
  for (const a of node.attributes) {
    if (a.name.startsWith('__')) continue;
    const field = `attribute '${a.name}'`;
    const spec = known.get(a.name);
    if (!spec) {
      const takes = [...known.keys()].join(', ') || 'none';
      add(
        'unknown-attribute',
        `has attribute '${a.name}', which ${node.opType}-${schema.since} does not define (it takes: ${takes})`,
        field,
      );
      continue;
    }
    const type = attrType(a);
    if (type && type !== spec.type)
      add('attribute-type', `attribute '${a.name}' is ${type}, expected ${spec.type}`, field);
    if (a.value.kind === 'tensor') {
      const problem = tensorProblem(a.value.value);
      if (problem) add('bad-tensor', `attribute '${a.name}' tensor ${problem}`, field);
    }
  }
  for (const spec of schema.attributes) {
    if (spec.required && !node.attributes.some((a) => a.name === spec.name))
      add('missing-attribute', `required attribute '${spec.name}' is missing`, `attribute '${spec.name}'`);
  }
}

/**
 * The type constraints on what the node reads and writes: each operand's type allowed by its parameter, and
 * every operand of one type parameter the same type.
 */
function checkTypes(node: Node, schema: OpVersion, types: Types, add: Add): void {
  const bound = new Map<string, { type: string; from: string }>();
  // One report per type parameter: an input of a wrong type usually makes the inferred output wrong too.
  const flagged = new Set<string>();
  const sides: [string, readonly string[], readonly ParamSchema[]][] = [
    ['input', node.inputs, schema.inputs],
    ['output', node.outputs, schema.outputs],
  ];
  for (const [what, names, params] of sides) {
    names.forEach((name, i) => {
      const p = formal(params, i);
      const t = name ? types.get(name) : undefined;
      if (!p || !t || t.dtype === DType.UNDEFINED) return;
      const actual = tensorTypeString(t.dtype);
      const allowed = allowedTypes(schema, p.type);
      if (!allowed.has(actual)) {
        if (flagged.has(p.type)) return;
        flagged.add(p.type);
        const message = `${what} ${i} '${name}' is ${actual}; ${p.name} allows ${[...allowed].join(', ')}`;
        add('type-not-allowed', message, `${what}[${i}]`);
        return;
      }
      if (!(p.type in schema.types) || p.heterogeneous) return;
      const prior = bound.get(p.type);
      if (!prior) bound.set(p.type, { type: actual, from: name });
      else if (prior.type !== actual)
        add(
          'type-mismatch',
          `${what} ${i} '${name}' is ${actual} but '${prior.from}' is ${prior.type}, and both are type ${p.type}`,
          `${what}[${i}]`,
        );
    });
  }
}
