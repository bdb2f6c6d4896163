/**
 * Which nodes compute in int8 and which tensors get a QuantizeLinear → DequantizeLinear pair. The placement is
 * onnxruntime's QDQ convention, which its CPU optimizer turns into integer kernels: every input and the output
 * of a quantized node pass through Q/DQ (DQ → Conv → Q becomes QLinearConv, DQ → Add → Q QLinearAdd, …). A
 * ReLU, or a Clip from 0, right after a quantized node is dropped where the output's uint8 range already
 * clamps exactly as it does (zero point 0), so the convolution keeps an integer output. Shape-only operators
 * (Reshape, Flatten, MaxPool …) take their input's parameters, so onnxruntime drops their Q/DQ and runs them
 * on the integers.
 */
import { DType, type Model, type Node, type Tensor, type TensorType } from '../ir.js';
import { floatAttr, intAttr } from '../rewrite/graph-index.js';
import type { ActivationType } from './params.js';

/** Operators with a constant weight, quantized per output channel. */
const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
/** Every input and the output quantized: onnxruntime has an integer kernel for each (QLinearAdd, …). */
const ELEMENTWISE = new Set(['Add', 'Mul', 'GlobalAveragePool', 'AveragePool', 'Sigmoid', 'LeakyRelu', 'Concat']);
/** Values pass through unchanged or are selected: the output shares the input's parameters. */
const PASSTHROUGH = new Set(['Reshape', 'Flatten', 'Transpose', 'Squeeze', 'Unsqueeze', 'MaxPool']);

/** Where a weighted node's constant weight (and bias) is, and its output-channel axis. */
export interface WeightSlot {
  /** The weight's input position. */
  input: number;
  /** The weight's axis of output channels (0 for Conv, 1 for ConvTranspose and MatMul): one scale each. */
  axis: number;
  /** The bias's input position, when the node has a constant one (quantized to int32). */
  bias?: number;
}

/** Everything quantization changes in a model, decided before anything is written (qdq.ts writes it). */
export interface Placement {
  /** Quantized nodes, by their key (nodeKey). */
  nodes: Set<string>;
  /** Each quantized node with a constant weight, and where it is. */
  weights: Map<Node, WeightSlot>;
  /**
   * Constant float operands of Add and Mul (the 3 of a hard-swish's x + 3), quantized per tensor like an
   * activation: both operands of onnxruntime's QLinearAdd/QLinearMul must be integers, and a float island
   * between two quantized neighbours costs a DequantizeLinear and a QuantizeLinear each time.
   */
  constants: Map<Node, number>;
  /** Tensor → the tensor whose calibrated range it takes (itself, a folded ReLU's output, a pass-through's input). */
  tensors: Map<string, string>;
  /** ReLU/Clip nodes folded into their producer's quantized output. */
  folded: Set<Node>;
}

/** A node's stable identity in reports and in `keep_float`: its name, else its operator and position. */
export const nodeKey = (n: Node, i: number): string => n.name || `${n.opType}#${i}`;

interface Graphs {
  keys: Map<Node, string>;
  consts: Map<string, Tensor>;
  consumers: Map<string, Node[]>;
  outputs: Set<string>;
  types: ReadonlyMap<string, TensorType>;
}

const BINARY = new Set(['Add', 'Mul']);
const floatConstant = (g: Graphs, v: string) => g.consts.get(v)?.dtype === DType.FLOAT;
const isFloat = (g: Graphs, v: string) => !!v && !g.consts.has(v) && g.types.get(v)?.dtype === DType.FLOAT;

/** The weight input, its output-channel axis and the bias input of a weighted node; undefined when not quantizable. */
export function weightSlot(node: Node, consts: ReadonlyMap<string, Tensor>): WeightSlot | undefined {
  const w = consts.get(node.inputs[1] ?? '');
  if (!WEIGHTED.has(node.opType) || !w || w.dtype !== DType.FLOAT) return undefined;
  const b = node.inputs[2] ? consts.get(node.inputs[2]) : undefined;
  const bias = b && b.dtype === DType.FLOAT && b.dims.length === 1 ? { bias: 2 } : {};
  if (node.inputs[2] && !b) return undefined;
  switch (node.opType) {
    case 'Conv':
      return w.dims.length >= 3 ? { input: 1, axis: 0, ...bias } : undefined;
    case 'ConvTranspose':
      return w.dims.length >= 3 && intAttr(node, 'group', 1) === 1 ? { input: 1, axis: 1, ...bias } : undefined;
    case 'Gemm': {
      const unit = floatAttr(node, 'alpha', 1) === 1 && floatAttr(node, 'beta', 1) === 1;
      const plain = unit && intAttr(node, 'transA', 0) === 0;
      if (!plain || w.dims.length !== 2) return undefined;
      const axis = intAttr(node, 'transB', 0) === 1 ? 0 : 1;
      return b && b.dims[0] === w.dims[axis]
        ? { input: 1, axis, ...bias }
        : !node.inputs[2]
          ? { input: 1, axis }
          : undefined;
    }
    default:
      return w.dims.length === 2 ? { input: 1, axis: 1 } : undefined;
  }
}

/** A ReLU, or a Clip whose floor is 0, that a uint8 output with zero point 0 reproduces by itself. */
function foldable(node: Node | undefined, consts: ReadonlyMap<string, Tensor>, minOf: (t: Tensor) => number): boolean {
  if (!node) return false;
  if (node.opType === 'Relu') return true;
  if (node.opType !== 'Clip') return false;
  const min = node.inputs[1] ? consts.get(node.inputs[1]) : undefined;
  return min !== undefined && minOf(min) === 0;
}

/** What selecting a placement needs beside the model. */
export interface SelectOptions {
  /** The activations' integer type: ReLU and Clip fold away only for uint8, whose zero point 0 clamps as they do. */
  activations: ActivationType;
  /** Node keys left in float. */
  keepFloat: ReadonlySet<string>;
  /** The first value of a scalar constant (Clip's min). */
  scalar: (t: Tensor) => number;
}

/** The placement for `model` (its main graph, topologically sorted as ONNX requires). */
export function selectPlacement(model: Model, types: ReadonlyMap<string, TensorType>, o: SelectOptions): Placement {
  const g: Graphs = { keys: new Map(), consts: new Map(), consumers: new Map(), outputs: new Set(), types };
  for (const t of model.graph.initializers) g.consts.set(t.name, t);
  for (const v of model.graph.outputs) g.outputs.add(v.name);
  model.graph.nodes.forEach((n, i) => g.keys.set(n, nodeKey(n, i)));
  for (const n of model.graph.nodes) for (const v of n.inputs) g.consumers.set(v, [...(g.consumers.get(v) ?? []), n]);
  const p: Placement = {
    nodes: new Set(),
    weights: new Map(),
    constants: new Map(),
    tensors: new Map(),
    folded: new Set(),
  };
  model.graph.nodes.forEach((node, i) => {
    if (o.keepFloat.has(nodeKey(node, i))) return;
    if (PASSTHROUGH.has(node.opType)) return passThrough(g, p, node, nodeKey(node, i));
    const slot = weightSlot(node, g.consts);
    const constant = BINARY.has(node.opType) ? node.inputs.findIndex((v) => floatConstant(g, v)) : -1;
    const acts = slot ? [node.inputs[0] ?? ''] : node.inputs.filter((v, k) => v !== '' && k !== constant);
    const eligible = (slot !== undefined || ELEMENTWISE.has(node.opType)) && acts.every((v) => isFloat(g, v));
    if (!eligible || !isFloat(g, node.outputs[0] ?? '')) return;
    p.nodes.add(nodeKey(node, i));
    if (slot) p.weights.set(node, slot);
    for (const v of acts) if (!p.tensors.has(v)) p.tensors.set(v, v);
    if (constant >= 0) p.constants.set(node, constant);
    quantizeOutput(g, p, node, o);
  });
  return p;
}

function quantizeOutput(g: Graphs, p: Placement, node: Node, o: SelectOptions): void {
  const out = node.outputs[0] as string;
  if (g.outputs.has(out)) return;
  const readers = g.consumers.get(out) ?? [];
  const next = readers.length === 1 ? readers[0] : undefined;
  const folds =
    o.activations === 'uint8' &&
    foldable(next, g.consts, o.scalar) &&
    !o.keepFloat.has(next ? (g.keys.get(next) ?? '') : '');
  if (folds && next && !g.outputs.has(next.outputs[0] as string)) {
    const folded = next.outputs[0] as string;
    p.folded.add(next);
    p.tensors.set(out, folded);
    p.tensors.set(folded, folded);
    return;
  }
  p.tensors.set(out, out);
}

function passThrough(g: Graphs, p: Placement, node: Node, key: string): void {
  const source = p.tensors.get(node.inputs[0] ?? '');
  const out = node.outputs[0] ?? '';
  if (source === undefined || g.outputs.has(out) || !isFloat(g, out)) return;
  p.nodes.add(key);
  p.tensors.set(out, source);
}
