/**
 * Writes a placement (select.ts) into the graph: int8 weights with their per-channel scales behind a
 * DequantizeLinear (axis = the output channel), int32 biases at scale input × weight, and one Q → DQ pair per
 * quantized activation, shared by all its readers. Folded ReLU/Clip nodes go; their readers read the producer.
 */
import { DType, type Model, type Node, type Tensor } from '../ir.js';
import { cloneModel } from '../rewrite/clone.js';
import { graphFreeNames } from '../rewrite/subgraphs.js';
import { bodiesOf } from '../subgraph.js';
import { makeTensor, tensorValues } from '../tensor.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import {
  activationParams,
  quantizeBias,
  quantizeWeights,
  WEIGHT_LEVELS,
  type ActivationParams,
  type ActivationType,
  type Range,
} from './params.js';
import type { Placement, WeightSlot } from './select.js';

/** A placement written into a model. */
export interface Written {
  /** The quantized model (a copy: the input is not changed). */
  model: Model;
  /** What was written, counted. */
  stats: QdqStats;
  /** Each quantized tensor's dequantized name: the value its readers see. */
  dequantized: Map<string, string>;
}

/** What writing a placement added and removed: the stage's report shows it. */
export interface QdqStats {
  /** Nodes that compute in int8. */
  quantizedNodes: number;
  /** Q → DQ pairs added, one per quantized activation. */
  qdqPairs: number;
  /** Weights stored as int8 behind a DequantizeLinear. */
  weights: number;
  /** Bias values beyond int32 at their scale (saturated). */
  biasSaturated: number;
  /** ReLU/Clip nodes removed: their producer's quantized output already clamps as they did. */
  foldedActivations: number;
}

interface Writer {
  names: Set<string>;
  inits: Tensor[];
  nodes: Node[];
}

function fresh(w: Writer, base: string): string {
  let name = base;
  for (let k = 1; w.names.has(name); k++) name = `${base}_${k}`;
  w.names.add(name);
  return name;
}

function constant(w: Writer, base: string, dtype: DType, dims: number[], values: ArrayLike<number>): string {
  const name = fresh(w, base);
  w.inits.push(makeTensor(name, dtype, dims, values));
  return name;
}

const node = (name: string, opType: string, inputs: string[], outputs: string[], axis?: number): Node => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attributes: axis === undefined ? [] : [{ name: 'axis', value: { kind: 'int', value: axis } }],
});

/** Q → DQ after `value`: returns the dequantized name its readers take. */
function qdqPair(w: Writer, value: string, p: ActivationParams): string {
  const scale = constant(w, `${value}_scale`, DType.FLOAT, [], [p.scale]);
  const zp = constant(w, `${value}_zero_point`, p.dtype, [], [p.zeroPoint]);
  const q = fresh(w, `${value}_quantized`);
  const dq = fresh(w, `${value}_dequantized`);
  w.nodes.push(node(fresh(w, `${value}_QuantizeLinear`), 'QuantizeLinear', [value, scale, zp], [q]));
  w.nodes.push(node(fresh(w, `${value}_DequantizeLinear`), 'DequantizeLinear', [q, scale, zp], [dq]));
  return dq;
}

/** The weight (and bias) of `n` behind DequantizeLinear nodes; returns saturated bias values. */
function quantizeWeightOf(
  w: Writer,
  n: Node,
  slot: WeightSlot,
  weight: Tensor,
  levels: number,
  inputScale: number,
  bias?: Tensor,
): number {
  const values = tensorValues(weight);
  if (!values.ok || !(values.value instanceof Float32Array))
    throw new Error(`Internal error: weight '${weight.name}' unreadable`);
  const q = quantizeWeights(values.value, weight.dims, slot.axis, levels);
  const channels = q.scales.length;
  const axis = weight.dims.length === 1 ? undefined : slot.axis;
  const wq = constant(w, `${weight.name}_quantized`, DType.INT8, [...weight.dims], q.values);
  const ws = constant(w, `${weight.name}_scale`, DType.FLOAT, [channels], q.scales);
  const wz = constant(w, `${weight.name}_zero_point`, DType.INT8, [channels], new Int8Array(channels));
  const wdq = fresh(w, `${weight.name}_dequantized`);
  w.nodes.push(node(fresh(w, `${weight.name}_DequantizeLinear`), 'DequantizeLinear', [wq, ws, wz], [wdq], axis));
  n.inputs[slot.input] = wdq;
  if (!bias || slot.bias === undefined) return 0;
  const b = tensorValues(bias);
  if (!b.ok || !(b.value instanceof Float32Array)) throw new Error(`Internal error: bias '${bias.name}' unreadable`);
  const qb = quantizeBias(b.value, inputScale, q.scales);
  const bq = constant(w, `${bias.name}_quantized`, DType.INT32, [...bias.dims], qb.values);
  const bs = constant(w, `${bias.name}_scale`, DType.FLOAT, [qb.scales.length], qb.scales);
  const bz = constant(w, `${bias.name}_zero_point`, DType.INT32, [qb.scales.length], new Int32Array(qb.scales.length));
  const bdq = fresh(w, `${bias.name}_dequantized`);
  w.nodes.push(node(fresh(w, `${bias.name}_DequantizeLinear`), 'DequantizeLinear', [bq, bs, bz], [bdq], 0));
  n.inputs[slot.bias] = bdq;
  return qb.saturated;
}

/** The outer values If/Loop/Scan bodies read: initializers among them stay though no main-graph node reads them. */
function captured(m: Model): string[] {
  return m.graph.nodes.flatMap((n) => {
    const bodies = bodiesOf(n);
    return bodies.ok ? bodies.value.flatMap((b) => [...graphFreeNames(b.graph)]) : [];
  });
}

/** A constant operand of Add/Mul as uint8 (or int8) per tensor behind a DequantizeLinear, in the activations' type. */
function quantizeConstant(w: Writer, n: Node, input: number, c: Tensor, type: ActivationType): void {
  const values = tensorValues(c);
  if (!values.ok || !(values.value instanceof Float32Array)) throw new Error(`Internal error: '${c.name}' unreadable`);
  const v = values.value;
  const p = activationParams({ lo: Math.min(...v), hi: Math.max(...v) }, type);
  const lo = p.dtype === DType.UINT8 ? 0 : -128;
  const hi = p.dtype === DType.UINT8 ? 255 : 127;
  const q = Array.from(v, (x) => Math.max(lo, Math.min(hi, Math.round(x / p.scale) + p.zeroPoint)));
  const name = constant(w, `${c.name}_quantized`, p.dtype, [...c.dims], q);
  const scale = constant(w, `${c.name}_scale`, DType.FLOAT, [], [p.scale]);
  const zp = constant(w, `${c.name}_zero_point`, p.dtype, [], [p.zeroPoint]);
  const dq = fresh(w, `${c.name}_dequantized`);
  w.nodes.push(node(fresh(w, `${c.name}_DequantizeLinear`), 'DequantizeLinear', [name, scale, zp], [dq]));
  n.inputs[input] = dq;
}

/** Every name the graph uses, so that new ones never clash. */
function usedNames(m: Model): Set<string> {
  const names = new Set<string>();
  for (const t of m.graph.initializers) names.add(t.name);
  for (const v of [...m.graph.inputs, ...m.graph.outputs, ...m.graph.valueInfo]) names.add(v.name);
  for (const n of m.graph.nodes) for (const x of [n.name, ...n.inputs, ...n.outputs]) names.add(x);
  return names;
}

/** The activation parameters of every quantized tensor, or the first tensor calibration gave no range. */
function paramsOf(
  p: Placement,
  ranges: ReadonlyMap<string, Range>,
  type: ActivationType,
  alias: ReadonlyMap<string, string>,
): Result<Map<string, ActivationParams>, string> {
  const out = new Map<string, ActivationParams>();
  for (const [tensor, source] of p.tensors) {
    if (alias.has(tensor)) continue;
    const range = ranges.get(source);
    if (!range) return err(`calibration recorded no range for '${source}'`);
    out.set(tensor, activationParams(range, type));
  }
  return ok(out);
}

export function writePlacement(
  model: Model,
  p: Placement,
  ranges: ReadonlyMap<string, Range>,
  type: ActivationType,
): Result<Written, string> {
  const m = cloneModel(model);
  const alias = new Map<string, string>();
  for (const f of p.folded) alias.set(f.outputs[0] as string, f.inputs[0] as string);
  const params = paramsOf(p, ranges, type, alias);
  if (!params.ok) return params;
  const w: Writer = { names: usedNames(m), inits: [], nodes: [] };
  const consts = new Map(m.graph.initializers.map((t) => [t.name, t]));
  const site: Site = { p, type, params: params.value, alias, consts };
  const stats: QdqStats = {
    quantizedNodes: p.nodes.size,
    qdqPairs: 0,
    weights: 0,
    biasSaturated: 0,
    foldedActivations: p.folded.size,
  };
  const dq = writeNodes(w, site, m, model.graph.nodes, stats);
  replaceNodes(m, w, alias);
  return ok({ model: m, stats, dequantized: dq });
}

/**
 * The clone's nodes in order (`originals` are the same nodes in the placement's model), folded ones left out:
 * each reads through folded activations and Q → DQ pairs, has its operands quantized, and is followed by a pair
 * for each quantized activation it produces. Returns each quantized tensor's dequantized name.
 */
function writeNodes(w: Writer, s: Site, m: Model, originals: readonly Node[], stats: QdqStats): Map<string, string> {
  const dq = new Map<string, string>();
  const pairAfter = (v: string) => {
    const a = s.params.get(v);
    if (!a || dq.has(v)) return;
    dq.set(v, qdqPair(w, v, a));
    stats.qdqPairs++;
  };
  for (const i of m.graph.inputs) pairAfter(i.name);
  m.graph.nodes.forEach((n, k) => {
    const original = originals[k] as Node;
    if (s.p.folded.has(original)) return;
    n.inputs = n.inputs.map((v) => {
      const a = s.alias.get(v) ?? v;
      return dq.get(a) ?? a;
    });
    quantizeOperands(w, s, n, original, stats);
    w.nodes.push(n);
    for (const v of n.outputs) pairAfter(v);
  });
  return dq;
}

/** What quantizing a node's operands reads: the placement, the activations' parameters, the model's constants. */
interface Site {
  p: Placement;
  type: ActivationType;
  params: ReadonlyMap<string, ActivationParams>;
  /** A folded activation's output → the value it passed on. */
  alias: ReadonlyMap<string, string>;
  consts: ReadonlyMap<string, Tensor>;
}

/** The weight (and bias) and the constant operand of node `n` quantized where the placement says so. */
function quantizeOperands(w: Writer, s: Site, n: Node, original: Node, stats: QdqStats): void {
  const slot = s.p.weights.get(original);
  if (slot) {
    const input = s.params.get(s.alias.get(original.inputs[0] ?? '') ?? original.inputs[0] ?? '');
    const weight = s.consts.get(original.inputs[slot.input] ?? '') as Tensor;
    const bias = slot.bias === undefined ? undefined : s.consts.get(original.inputs[slot.bias] ?? '');
    const levels = WEIGHT_LEVELS[s.type];
    stats.biasSaturated += quantizeWeightOf(w, n, slot, weight, levels, input?.scale ?? 1, bias);
    stats.weights++;
  }
  const c = s.p.constants.get(original);
  if (c !== undefined) quantizeConstant(w, n, c, s.consts.get(original.inputs[c] ?? '') as Tensor, s.type);
}

/** The written nodes in place of the graph's; initializers nothing reads any more and folded values' infos go. */
function replaceNodes(m: Model, w: Writer, alias: ReadonlyMap<string, string>): void {
  m.graph.nodes = w.nodes;
  const read = new Set([...w.nodes.flatMap((n) => n.inputs), ...m.graph.outputs.map((o) => o.name), ...captured(m)]);
  m.graph.initializers = [...m.graph.initializers, ...w.inits].filter((t) => read.has(t.name));
  m.graph.valueInfo = m.graph.valueInfo.filter((v) => !alias.has(v.name));
}
