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
import { DType, type Attribute, type Model, type Node, type Tensor, type TensorType, type ValueInfo } from '../../onnx/ir.js';
import { inferShapes } from '../../onnx/infer/index.js';
import { FLOAT16_MAX } from '../../onnx/float16.js';
import { cloneModel } from '../../onnx/rewrite/clone.js';
import { hasBodies, nodeFreeNames } from '../../onnx/rewrite/subgraphs.js';
import { opsetVersion } from '../../onnx/rewrite/opset.js';
import { makeTensor, tensorNumbers } from '../../onnx/rewrite/tensors.js';
import { lookupOp } from '../../onnx/schema/lookup.js';
import { err, ok, type Result } from '../../pipeline/result.js';

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

const BODY_STAYS = 'holds a subgraph: the node stays float32; its bodies are converted one at a time afterwards (bodies.ts)';

type Zone = 'fp16' | 'fp32';

const castTo = (to: DType): Attribute => ({ name: 'to', value: { kind: 'int', value: to } });

/** Operators whose float output type comes from an attribute or a default rather than from their inputs. */
function typedByAttribute(node: Node): string | undefined {
  if (['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'EyeLike', 'Multinomial', 'Bernoulli'].includes(node.opType)) return 'its output type is set by an attribute';
  if (node.opType === 'ConstantOfShape' && !node.attributes.some((a) => a.name === 'value')) return 'its default value is float32';
  if (node.opType === 'Constant' && node.attributes.some((a) => a.value.kind === 'float' || a.value.kind === 'floats')) return 'value_float(s) is float32 by definition';
  // Runtimes expand it into a body whose constants are float32, which then meets float16 operands.
  if (node.opType === 'MeanVarianceNormalization') return 'its function body computes in float32';
  return undefined;
}

/** Which operands of a node may be float16, from its schema; undefined when the node cannot run in fp16. */
function fp16Slots(node: Node, opset: number, types: ReadonlyMap<string, TensorType>): { inputs: boolean[]; outputs: boolean[] } | string {
  const found = lookupOp(node.opType, opset, node.domain);
  if (found.kind !== 'found') return `no schema for ${node.opType} at opset ${opset}`;
  const s = found.schema;
  const param = (list: typeof s.inputs, i: number) => list[Math.min(i, list.length - 1)];
  const allows = (type: string | undefined) => type !== undefined && (type === 'tensor(float16)' || (s.types[type] ?? []).includes('tensor(float16)'));
  const slots = (names: string[], list: typeof s.inputs) => names.map((v, i) => {
    const p = param(list, i);
    if (!v || types.get(v)?.dtype !== DType.FLOAT) return false;
    return allows(p?.type) ? true : p?.type === 'tensor(float)' ? false : undefined;
  });
  const inputs = slots(node.inputs, s.inputs), outputs = slots(node.outputs, s.outputs);
  if ([...inputs, ...outputs].includes(undefined)) return `${node.opType} takes no float16 for a float32 operand`;
  return { inputs: inputs as boolean[], outputs: outputs as boolean[] };
}

function toFloat16(t: Tensor, name: string, report: Fp16Report): Tensor | undefined {
  const values = tensorNumbers(t);
  if (!values) return undefined;
  let clamped = 0, flushed = 0;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (Math.abs(x) > FLOAT16_MAX && Number.isFinite(x)) { values[i] = Math.sign(x) * FLOAT16_MAX; clamped++; }
    else if (x !== 0 && Math.abs(x) < 2 ** -25) flushed++;
  }
  if (clamped) report.clamped[t.name] = clamped;
  if (flushed) report.flushedToZero[t.name] = flushed;
  return makeTensor(name, DType.FLOAT16, t.dims, values);
}

export function convertFloat16(input: Model, options: Fp16Options): Result<{ model: Model; report: Fp16Report }, string> {
  const model = cloneModel(input);
  const g = model.graph;
  const opset = opsetVersion(model);
  // Cast-1 names its target type with a string that onnxruntime cannot type-infer; opset 6 made it an enum.
  if (opset < 6) return err(`the model is at opset ${opset}; float16 conversion needs opset 6 or later (Cast with a numeric 'to')`);
  const types = inferShapes(model);
  constantsToInitializers(model);
  for (const t of g.initializers) types.set(t.name, { dtype: t.dtype, shape: t.dims });
  const report: Fp16Report = {
    initializersConverted: 0, bytes: { before: 0, after: 0 }, clamped: {}, flushedToZero: {}, keptFp32: [], subgraphs: [],
    castsInserted: 0,
  };
  // Outer values a body reads keep their name and type: the body is not converted.
  const captured = new Set(g.nodes.filter(hasBodies).flatMap((n) => [...nodeFreeNames(n)]));

  // The dtype each float32 value has after conversion: decided by its producer.
  const dtypeOf = new Map<string, DType>();
  for (const v of g.inputs) if (v.type?.dtype === DType.FLOAT) dtypeOf.set(v.name, options.keepIoFp32 ? DType.FLOAT : DType.FLOAT16);
  const plans = new Map<Node, { inputs: boolean[] }>();
  for (const node of g.nodes) {
    if (node.opType === 'Constant') {
      const a = node.attributes[0];
      if (a?.value.kind === 'tensor' && a.value.value.dtype === DType.FLOAT) types.set(node.outputs[0] as string, { dtype: DType.FLOAT });
    }
    const slots = fp16Slots(node, opset, types);
    const kept = hasBodies(node) ? BODY_STAYS : options.keepFp32.includes(node.opType) ? 'on the keep_fp32 list'
      : typeof slots === 'string' ? slots : typedByAttribute(node);
    if (hasBodies(node)) report.subgraphs.push({ node: node.name, opType: node.opType, why: BODY_STAYS });
    const untyped = [...node.inputs, ...node.outputs].find((v) => v && !types.has(v));
    if (!kept && untyped) return err(`the type of '${untyped}' (at node ${node.name || node.opType}) is unknown, so it cannot be converted safely; run shape inference or declare its value_info`);
    const zone: Zone = kept ? 'fp32' : 'fp16';
    if (kept && [...node.inputs, ...node.outputs].some((v) => types.get(v)?.dtype === DType.FLOAT)) report.keptFp32.push({ node: node.name, opType: node.opType, why: kept });
    const plan = typeof slots === 'string' || zone === 'fp32' ? { inputs: node.inputs.map(() => false), outputs: node.outputs.map(() => false) } : slots;
    plans.set(node, plan);
    node.outputs.forEach((o, i) => { if (o && types.get(o)?.dtype === DType.FLOAT) dtypeOf.set(o, plan.outputs[i] ? DType.FLOAT16 : DType.FLOAT); });
    if (zone === 'fp16') node.attributes = node.attributes.map((a) => fp16Attribute(node, a, report));
  }

  // Initializers: float16 when any reader wants float16; a float32 copy for float32 readers too.
  const initNames = new Set(g.initializers.map((t) => t.name));
  const wants = new Map<string, Set<DType>>();
  for (const node of g.nodes) node.inputs.forEach((v, i) => {
    if (!initNames.has(v) || types.get(v)?.dtype !== DType.FLOAT) return;
    wants.set(v, (wants.get(v) ?? new Set()).add(plans.get(node)?.inputs[i] ? DType.FLOAT16 : DType.FLOAT));
  });
  for (const v of captured) wants.get(v)?.delete(DType.FLOAT16);
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

  // Casts where a reader wants another type than the value has; shared per (value, type).
  const casts = new Map<string, string>();
  const nodes: Node[] = [];
  const insertCast = (value: string, to: DType, before: Node[]): string => {
    const key = `${value}|${to}`;
    let name = casts.get(key);
    if (!name) {
      name = `${value}_${to === DType.FLOAT16 ? 'fp16' : 'fp32'}`;
      casts.set(key, name);
      before.push({ name: `cast_${name}`, opType: 'Cast', domain: '', inputs: [value], outputs: [name], attributes: [castTo(to)] });
      report.castsInserted++;
    }
    return name;
  };
  for (const node of g.nodes) {
    const plan = plans.get(node) as { inputs: boolean[] };
    const pre: Node[] = [];
    node.inputs = node.inputs.map((v, i) => {
      const has = dtypeOf.get(v);
      if (has === undefined) return v;
      const want = plan.inputs[i] ? DType.FLOAT16 : DType.FLOAT;
      if (has === want) return v;
      if (want === DType.FLOAT && renamed.has(v)) return renamed.get(v) as string;
      return insertCast(v, want, pre);
    });
    nodes.push(...pre, node);
  }
  // Graph outputs: the producer writes `<name>_fp16` and a Cast restores the float32 name.
  for (const out of g.outputs) {
    const has = dtypeOf.get(out.name);
    const want = options.keepIoFp32 ? DType.FLOAT : DType.FLOAT16;
    if (has === undefined || has === want || out.type?.dtype !== DType.FLOAT || !nodes.some((n) => n.outputs.includes(out.name))) continue;
    const inner = `${out.name}_${has === DType.FLOAT16 ? 'fp16' : 'fp32'}`;
    for (const n of nodes) {
      n.outputs = n.outputs.map((o) => (o === out.name ? inner : o));
      n.inputs = n.inputs.map((i) => (i === out.name ? inner : i));
    }
    dtypeOf.set(inner, has);
    nodes.push({ name: `cast_${out.name}`, opType: 'Cast', domain: '', inputs: [inner], outputs: [out.name], attributes: [castTo(want)] });
    report.castsInserted++;
  }
  for (const name of captured) {
    if (dtypeOf.get(name) !== DType.FLOAT16 || initNames.has(name)) continue;
    const inner = `${name}_fp16`;
    for (const n of nodes) {
      if (hasBodies(n)) continue;
      n.outputs = n.outputs.map((o) => (o === name ? inner : o));
      n.inputs = n.inputs.map((i) => (i === name ? inner : i));
    }
    dtypeOf.set(inner, DType.FLOAT16);
    dtypeOf.set(name, DType.FLOAT);
    const at = nodes.findIndex((n) => n.outputs.includes(inner));
    const cast: Node = {
      name: `cast_${name}`, opType: 'Cast', domain: '', inputs: [inner], outputs: [name], attributes: [castTo(DType.FLOAT)],
    };
    nodes.splice(at + 1, 0, cast);
    report.castsInserted++;
  }
  g.nodes = dropNoopCasts(nodes, (v) => dtypeOf.get(v) ?? types.get(v)?.dtype, new Set(g.outputs.map((o) => o.name)));
  const retype = (v: ValueInfo): ValueInfo => {
    const d = dtypeOf.get(v.name);
    return d !== undefined && v.type && v.type.dtype !== d ? { name: v.name, type: { ...v.type, dtype: d }, ...(v.docString ? { docString: v.docString } : {}) } : v;
  };
  g.inputs = g.inputs.map(retype);
  g.outputs = g.outputs.map((v) => (options.keepIoFp32 ? v : retype(v)));
  g.valueInfo = g.valueInfo.map(retype);
  return ok({ model, report });
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
    const a = n.attributes[0], out = n.outputs[0];
    const single = n.opType === 'Constant' && n.attributes.length === 1 && a?.name === 'value';
    if (!single || a.value.kind !== 'tensor' || !out || outputs.has(out)) return true;
    const t = a.value.value;
    if (t.dtype !== DType.FLOAT) return true;
    moved.push({ ...t, name: out, proto: { ...t.proto, name: out } });
    return false;
  });
  g.initializers = [...g.initializers, ...moved];
}

/**
 * A Cast to the type its input already has (a model's own Cast to float inside what is now the float16
 * zone) does nothing; onnxruntime's CPU provider even trips over one. Its readers read its input instead.
 */
function dropNoopCasts(nodes: Node[], dtypeOfValue: (v: string) => DType | undefined, graphOutputs: ReadonlySet<string>): Node[] {
  const alias = new Map<string, string>();
  const kept = nodes.filter((n) => {
    const to = n.attributes.find((a) => a.name === 'to')?.value;
    const input = n.inputs[0] ?? '';
    const output = n.outputs[0] ?? '';
    const noop = n.opType === 'Cast' && to?.kind === 'int' && dtypeOfValue(input) === to.value && !graphOutputs.has(output);
    if (noop) alias.set(output, alias.get(input) ?? input);
    return !noop;
  });
  for (const n of kept) n.inputs = n.inputs.map((i) => alias.get(i) ?? i);
  return kept;
}

/** Inside the float16 zone: Cast to float and Constant tensors follow the zone. */
function fp16Attribute(node: Node, a: Attribute, report: Fp16Report): Attribute {
  if (node.opType === 'Cast' && a.name === 'to' && a.value.kind === 'int' && a.value.value === DType.FLOAT) return { name: 'to', value: { kind: 'int', value: DType.FLOAT16 } };
  if (a.value.kind === 'tensor' && a.value.value.dtype === DType.FLOAT && (node.opType === 'Constant' || node.opType === 'ConstantOfShape')) {
    const half = toFloat16(a.value.value, a.value.value.name, report);
    if (half) return { name: a.name, value: { kind: 'tensor', value: half } };
  }
  return a;
}

const byteSize = (t: Tensor): number => t.proto.rawData?.length ?? (t.proto.floatData?.length ?? 0) * 4;
