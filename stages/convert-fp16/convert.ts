/**
 * FP32 → FP16 on the IR. Every node computes in float16 unless it is on the keep list or its schema does
 * not accept float16 for a float32 operand; then it stays float32. Casts go exactly where a value's type
 * and a reader's type differ: at the graph boundary (inputs and outputs stay float32 by default) and
 * around kept nodes; one Cast per value and target type, so no Cast pair is ever created. Weights are
 * converted once; values beyond float16's range are clamped to ±65504 and counted, as are nonzero values
 * that round to zero. A float32 constant that a float32 reader needs (a kept operator, a body) stays float32
 * for it, unclamped: Constant nodes become initializers first, so both follow the same rule.
 *
 * If/Loop/Scan: the node holding a body stays float32 and so does its body (listed in `subgraphs`); every
 * outer value a body reads stays float32 under its own name. The stage then converts the bodies one at a
 * time (bodies.ts), each kept only when the model still passes its check.
 */
import {
  DType,
  type Attribute,
  type Model,
  type Node,
  type Tensor,
  type TensorType,
  type ValueInfo,
} from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/infer/index.js';
import { FLOAT16_MAX } from '../../onnx/float16.js';
import { cloneModel } from '../../onnx/rewrite/clone.js';
import { hasBodies, nodeFreeNames } from '../../onnx/rewrite/subgraphs.js';
import { opsetVersion } from '../../onnx/rewrite/opset.js';
import { makeTensor, tensorNumbers } from '../../onnx/rewrite/tensors.js';
import { lookupOp } from '../../onnx/schema/lookup.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { castCaptured, castGraphOutputs, castReaders, dropNoopCasts } from './casts.js';

export interface Fp16Options {
  keepFp32: readonly string[];
  keepIoFp32: boolean;
}

export interface Fp16Report {
  initializersConverted: number;
  bytes: { before: number; after: number };
  /** Constants with values beyond ±65504, clamped: name → how many values. */
  clamped: Record<string, number>;
  /** Constants with nonzero values that became zero in float16: name → how many values. */
  flushedToZero: Record<string, number>;
  /** Nodes left in float32, with why. */
  keptFp32: { node: string; opType: string; why: string }[];
  /** Nodes holding If/Loop/Scan bodies, each left in float32 with why. */
  subgraphs: { node: string; opType: string; why: string }[];
  castsInserted: number;
}

const BODY_STAYS =
  'holds a subgraph: the node stays float32; its bodies are converted one at a time afterwards (bodies.ts)';

type Zone = 'fp16' | 'fp32';

/** Operators whose float output type comes from an attribute or a default rather than from their inputs. */
function typedByAttribute(node: Node): string | undefined {
  if (
    [
      'RandomNormal',
      'RandomUniform',
      'RandomNormalLike',
      'RandomUniformLike',
      'EyeLike',
      'Multinomial',
      'Bernoulli',
    ].includes(node.opType)
  )
    return 'its output type is set by an attribute';
  if (node.opType === 'ConstantOfShape' && !node.attributes.some((a) => a.name === 'value'))
    return 'its default value is float32';
  if (node.opType === 'Constant' && node.attributes.some((a) => a.value.kind === 'float' || a.value.kind === 'floats'))
    return 'value_float(s) is float32 by definition';
  // Runtimes expand it into a body whose constants are float32, which then meets float16 operands.
  if (node.opType === 'MeanVarianceNormalization') return 'its function body computes in float32';
  return undefined;
}

/** Which operands of a node may be float16, from its schema; undefined when the node cannot run in fp16. */
function fp16Slots(
  node: Node,
  opset: number,
  types: ReadonlyMap<string, TensorType>,
): { inputs: boolean[]; outputs: boolean[] } | string {
  const found = lookupOp(node.opType, opset, node.domain);
  if (found.kind !== 'found') return `no schema for ${node.opType} at opset ${opset}`;
  const s = found.schema;
  const param = (list: typeof s.inputs, i: number) => list[Math.min(i, list.length - 1)];
  const allows = (type: string | undefined) =>
    type !== undefined && (type === 'tensor(float16)' || (s.types[type] ?? []).includes('tensor(float16)'));
  const slots = (names: string[], list: typeof s.inputs) =>
    names.map((v, i) => {
      const p = param(list, i);
      if (!v || types.get(v)?.dtype !== DType.FLOAT) return false;
      return allows(p?.type) ? true : p?.type === 'tensor(float)' ? false : undefined;
    });
  const inputs = slots(node.inputs, s.inputs),
    outputs = slots(node.outputs, s.outputs);
  if ([...inputs, ...outputs].includes(undefined)) return `${node.opType} takes no float16 for a float32 operand`;
  return { inputs: inputs as boolean[], outputs: outputs as boolean[] };
}

function toFloat16(t: Tensor, name: string, report: Fp16Report): Tensor | undefined {
  const values = tensorNumbers(t);
  if (!values) return undefined;
  let clamped = 0,
    flushed = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (Math.abs(x) > FLOAT16_MAX && Number.isFinite(x)) {
      values[i] = Math.sign(x) * FLOAT16_MAX;
      clamped++;
    } else if (x !== 0 && Math.abs(x) < 2 ** -25) flushed++;
  }
  if (clamped) report.clamped[t.name] = clamped;
  if (flushed) report.flushedToZero[t.name] = flushed;
  return makeTensor(name, DType.FLOAT16, t.dims, values);
}

/** What the phases of one conversion share. */
export interface Conversion {
  model: Model;
  opset: number;
  options: Fp16Options;
  /** Types as inferred before conversion (Constant outputs and initializers included). */
  types: Map<string, TensorType>;
  /** The dtype each float32 value has after conversion: decided by its producer. */
  dtypeOf: Map<string, DType>;
  plans: Map<Node, { inputs: boolean[]; outputs: boolean[] }>;
  /** Outer values a body reads: they keep their name and type, since the body is not converted. */
  captured: Set<string>;
  report: Fp16Report;
}

export function convertFloat16(
  input: Model,
  options: Fp16Options,
): Result<{ model: Model; report: Fp16Report }, string> {
  const model = cloneModel(input);
  const g = model.graph;
  const opset = opsetVersion(model);
  // Cast-1 names its target type with a string that onnxruntime cannot type-infer; opset 6 made it an enum.
  if (opset < 6)
    return err(`the model is at opset ${opset}; float16 conversion needs opset 6 or later (Cast with a numeric 'to')`);
  const types = inferShapes(model);
  constantsToInitializers(model);
  for (const t of g.initializers) types.set(t.name, { dtype: t.dtype, shape: t.dims });
  const report: Fp16Report = {
    initializersConverted: 0,
    bytes: { before: 0, after: 0 },
    clamped: {},
    flushedToZero: {},
    keptFp32: [],
    subgraphs: [],
    castsInserted: 0,
  };
  const captured = new Set(g.nodes.filter(hasBodies).flatMap((n) => [...nodeFreeNames(n)]));
  const c: Conversion = { model, opset, options, types, dtypeOf: new Map(), plans: new Map(), captured, report };
  const planned = planNodes(c);
  if (planned) return err(planned);
  const initNames = new Set(g.initializers.map((t) => t.name));
  const renamed = convertInitializers(c);
  if (!renamed.ok) return renamed;
  const nodes = castReaders(c, renamed.value);
  castGraphOutputs(c, nodes);
  castCaptured(c, nodes, initNames);
  g.nodes = dropNoopCasts(nodes, (v) => c.dtypeOf.get(v) ?? types.get(v)?.dtype, new Set(g.outputs.map((o) => o.name)));
  retypeValues(c);
  return ok({ model, report });
}

/** Decides each node's zone and which of its float32 operands become float16; an error when a type is unknown. */
function planNodes(c: Conversion): string | undefined {
  const {
    model: { graph: g },
    types,
    options,
    report,
    dtypeOf,
  } = c;
  for (const v of g.inputs)
    if (v.type?.dtype === DType.FLOAT) dtypeOf.set(v.name, options.keepIoFp32 ? DType.FLOAT : DType.FLOAT16);
  for (const node of g.nodes) {
    if (node.opType === 'Constant') {
      const a = node.attributes[0];
      if (a?.value.kind === 'tensor' && a.value.value.dtype === DType.FLOAT)
        types.set(node.outputs[0] as string, { dtype: DType.FLOAT });
    }
    const slots = fp16Slots(node, c.opset, types);
    const kept = hasBodies(node)
      ? BODY_STAYS
      : options.keepFp32.includes(node.opType)
        ? 'on the keep_fp32 list'
        : typeof slots === 'string'
          ? slots
          : typedByAttribute(node);
    if (hasBodies(node)) report.subgraphs.push({ node: node.name, opType: node.opType, why: BODY_STAYS });
    const untyped = [...node.inputs, ...node.outputs].find((v) => v && !types.has(v));
    if (!kept && untyped)
      return `the type of '${untyped}' (at node ${node.name || node.opType}) is unknown, so it cannot be converted safely; run shape inference or declare its value_info`;
    const zone: Zone = kept ? 'fp32' : 'fp16';
    if (kept && [...node.inputs, ...node.outputs].some((v) => types.get(v)?.dtype === DType.FLOAT))
      report.keptFp32.push({ node: node.name, opType: node.opType, why: kept });
    const plan =
      typeof slots === 'string' || zone === 'fp32'
        ? { inputs: node.inputs.map(() => false), outputs: node.outputs.map(() => false) }
        : slots;
    c.plans.set(node, plan);
    node.outputs.forEach((o, i) => {
      if (o && types.get(o)?.dtype === DType.FLOAT) dtypeOf.set(o, plan.outputs[i] ? DType.FLOAT16 : DType.FLOAT);
    });
    if (zone === 'fp16') node.attributes = node.attributes.map((a) => fp16Attribute(node, a, report));
  }
  return undefined;
}

/**
 * Initializers: float16 when any reader wants float16; a float32 copy for float32 readers too. Returns the
 * float32 copies' names by original name.
 */
function convertInitializers(c: Conversion): Result<Map<string, string>, string> {
  const {
    model: { graph: g },
    types,
    report,
    dtypeOf,
  } = c;
  const initNames = new Set(g.initializers.map((t) => t.name));
  const wants = new Map<string, Set<DType>>();
  for (const node of g.nodes)
    node.inputs.forEach((v, i) => {
      if (!initNames.has(v) || types.get(v)?.dtype !== DType.FLOAT) return;
      wants.set(v, (wants.get(v) ?? new Set()).add(c.plans.get(node)?.inputs[i] ? DType.FLOAT16 : DType.FLOAT));
    });
  for (const v of c.captured) wants.get(v)?.delete(DType.FLOAT16);
  const renamed = new Map<string, string>();
  const outputNames = new Set(g.outputs.map((o) => o.name));
  const initializers: Tensor[] = [];
  for (const t of g.initializers) {
    const w = wants.get(t.name);
    report.bytes.before += byteSize(t);
    // A float32 initializer that is also a graph output stays as it is; float16 readers get a Cast.
    if (t.dtype !== DType.FLOAT || !w?.has(DType.FLOAT16) || outputNames.has(t.name)) {
      initializers.push(t);
      report.bytes.after += byteSize(t);
      if (t.dtype === DType.FLOAT) dtypeOf.set(t.name, DType.FLOAT);
      continue;
    }
    const half = toFloat16(t, t.name, report);
    if (!half) return err(`initializer '${t.name}' has storage the converter cannot read`);
    initializers.push(half);
    report.initializersConverted++;
    report.bytes.after += byteSize(half);
    dtypeOf.set(t.name, DType.FLOAT16);
    if (w.has(DType.FLOAT)) {
      const copy = `${t.name}_fp32`;
      initializers.push({ ...t, name: copy, proto: { ...t.proto, name: copy } });
      report.bytes.after += byteSize(t);
      renamed.set(t.name, copy);
    }
  }
  g.initializers = initializers;
  return ok(renamed);
}

/** Value infos take the dtype their producer now writes; graph outputs only when I/O is not kept float32. */
function retypeValues(c: Conversion): void {
  const g = c.model.graph;
  const retype = (v: ValueInfo): ValueInfo => {
    const d = c.dtypeOf.get(v.name);
    return d !== undefined && v.type && v.type.dtype !== d
      ? { name: v.name, type: { ...v.type, dtype: d }, ...(v.docString ? { docString: v.docString } : {}) }
      : v;
  };
  g.inputs = g.inputs.map(retype);
  g.outputs = g.outputs.map((v) => (c.options.keepIoFp32 ? v : retype(v)));
  g.valueInfo = g.valueInfo.map(retype);
}

/**
 * Float32 Constant nodes become initializers of the same name (what fold-constants does), so that a constant
 * a float32 reader needs stays float32 for it, unclamped, by the initializers' rule.
 */
function constantsToInitializers(model: Model): void {
  const g = model.graph;
  const outputs = new Set(g.outputs.map((o) => o.name));
  const moved: Tensor[] = [];
  g.nodes = g.nodes.filter((n) => {
    const a = n.attributes[0],
      out = n.outputs[0];
    const single = n.opType === 'Constant' && n.attributes.length === 1 && a?.name === 'value';
    if (!single || a.value.kind !== 'tensor' || !out || outputs.has(out)) return true;
    const t = a.value.value;
    if (t.dtype !== DType.FLOAT) return true;
    moved.push({ ...t, name: out, proto: { ...t.proto, name: out } });
    return false;
  });
  g.initializers = [...g.initializers, ...moved];
}

/** Inside the float16 zone: Cast to float and Constant tensors follow the zone. */
function fp16Attribute(node: Node, a: Attribute, report: Fp16Report): Attribute {
  if (node.opType === 'Cast' && a.name === 'to' && a.value.kind === 'int' && a.value.value === DType.FLOAT)
    return { name: 'to', value: { kind: 'int', value: DType.FLOAT16 } };
  if (
    a.value.kind === 'tensor' &&
    a.value.value.dtype === DType.FLOAT &&
    (node.opType === 'Constant' || node.opType === 'ConstantOfShape')
  ) {
    const half = toFloat16(a.value.value, a.value.value.name, report);
    if (half) return { name: a.name, value: { kind: 'tensor', value: half } };
  }
  return a;
}

const byteSize = (t: Tensor): number => t.proto.rawData?.length ?? (t.proto.floatData?.length ?? 0) * 4;
