/**
 * Writes an ONNX model in the form torch_runner.py reads: the graph as JSON (nodes, attributes, I/O) and every
 * initializer's bytes in one raw little-endian file. Constant nodes become initializers, so the runner sees
 * one kind of constant. The runner has no `onnx` package to parse protobuf with; this side has onnx-proto.
 */
import onnxProto from 'onnx-proto';
import { err, ok, type Result } from '../pipeline/result.js';

const { onnx } = onnxProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

export type AttrValue = number | string | number[] | string[];

export interface RunnerGraph {
  inputs: { name: string; dtype: string; shape: (number | string | null)[] }[];
  outputs: { name: string }[];
  initializers: { name: string; dtype: string; dims: number[]; offset: number; length: number }[];
  nodes: { op: string; name: string; inputs: string[]; outputs: string[]; attrs: Record<string, AttrValue> }[];
}

const DTYPE_NAMES: Record<number, { name: string; bytes: number }> = {
  1: { name: 'float32', bytes: 4 },
  10: { name: 'float16', bytes: 2 },
  11: { name: 'float64', bytes: 8 },
  7: { name: 'int64', bytes: 8 },
  6: { name: 'int32', bytes: 4 },
  3: { name: 'int8', bytes: 1 },
  2: { name: 'uint8', bytes: 1 },
  9: { name: 'bool', bytes: 1 },
};

/** The tensor's values as raw little-endian bytes, whichever storage field the file used. */
function tensorBytes(t: TensorProto, bytes: number): Uint8Array | string {
  const count = (t.dims ?? []).reduce((a, d) => a * Number(d), 1);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return 'is stored in an external file';
  if (t.rawData && t.rawData.length > 0) return t.rawData;
  const out = new Uint8Array(count * bytes);
  const view = new DataView(out.buffer);
  const dt = t.dataType ?? 0;
  for (let i = 0; i < count; i++) {
    if (dt === 1) view.setFloat32(i * 4, t.floatData?.[i] ?? 0, true);
    else if (dt === 11) view.setFloat64(i * 8, t.doubleData?.[i] ?? 0, true);
    else if (dt === 7) view.setBigInt64(i * 8, BigInt(String(t.int64Data?.[i] ?? 0)), true);
    else if (dt === 6) view.setInt32(i * 4, Number(t.int32Data?.[i] ?? 0), true);
    // float16 bits, int8, uint8 and bool are kept in int32_data, one value per entry.
    else if (dt === 10) view.setUint16(i * 2, Number(t.int32Data?.[i] ?? 0), true);
    else view.setUint8(i, Number(t.int32Data?.[i] ?? 0));
  }
  return out;
}

function attrValue(a: AttributeProto): AttrValue | undefined {
  const T = onnx.AttributeProto.AttributeType;
  const text = (b: Uint8Array | null | undefined) => new TextDecoder().decode(b ?? new Uint8Array());
  switch (a.type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return Number(a.i ?? 0);
    case T.STRING:
      return text(a.s);
    case T.FLOATS:
      return (a.floats ?? []).map(Number);
    case T.INTS:
      return (a.ints ?? []).map(Number);
    case T.STRINGS:
      return (a.strings ?? []).map(text);
    default:
      return undefined;
  }
}

export interface ExportedGraph {
  graph: RunnerGraph;
  weights: Uint8Array;
}

type GraphProto = onnxProto.onnx.IGraphProto;
type NodeProto = onnxProto.onnx.INodeProto;

/** Every constant's bytes in one buffer, each 8-byte aligned so the runner can view it in place. */
class Weights {
  readonly initializers: RunnerGraph['initializers'] = [];
  private readonly chunks: Uint8Array[] = [];
  private offset = 0;

  /** Adds a tensor under `name`; or why the runner cannot take it. */
  add(name: string, t: TensorProto): string | undefined {
    const type = DTYPE_NAMES[t.dataType ?? 0];
    if (!type) return `tensor ${name} has element type ${t.dataType}, which the torch runner does not handle`;
    const data = tensorBytes(t, type.bytes);
    if (typeof data === 'string') return `tensor ${name} ${data}`;
    const { offset } = this;
    this.initializers.push({ name, dtype: type.name, dims: (t.dims ?? []).map(Number), offset, length: data.length });
    this.chunks.push(data);
    const pad = (8 - (data.length % 8)) % 8;
    if (pad) this.chunks.push(new Uint8Array(pad));
    this.offset += data.length + pad;
    return undefined;
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.offset);
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
  }
}

/** One node as the runner reads it; a Constant becomes a weight instead (`undefined`); or why it cannot. */
function exportNode(n: NodeProto, weights: Weights): RunnerGraph['nodes'][number] | undefined | string {
  if ((n.domain ?? '') !== '' && n.domain !== 'ai.onnx')
    return `node ${n.name} is in domain ${n.domain}; the torch runner runs the default ONNX domain only`;
  if (n.opType === 'Constant') {
    const value = (n.attribute ?? []).find((a) => a.name === 'value');
    if (!value?.t) return `Constant ${n.name} has no tensor 'value'; the torch runner handles tensor constants only`;
    return weights.add(n.output?.[0] ?? '', value.t);
  }
  const attrs: Record<string, AttrValue> = {};
  for (const a of n.attribute ?? []) {
    const v = attrValue(a);
    if (v !== undefined) attrs[a.name ?? ''] = v;
  }
  const io = { inputs: [...(n.input ?? [])], outputs: [...(n.output ?? [])] };
  return { op: n.opType ?? '', name: n.name ?? '', ...io, attrs };
}

/** The graph's inputs with their element types and shapes (a symbolic dimension by name), and its outputs. */
function exportIo(g: GraphProto): Pick<RunnerGraph, 'inputs' | 'outputs'> {
  const dims = (i: ValueInfoProto) =>
    (i?.type?.tensorType?.shape?.dim ?? []).map((d: onnxProto.onnx.TensorShapeProto.IDimension) =>
      d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : null,
    );
  return {
    inputs: (g.input ?? []).map((i) => ({
      name: i.name ?? '',
      dtype: DTYPE_NAMES[i.type?.tensorType?.elemType ?? 0]?.name ?? 'unknown',
      shape: dims(i),
    })),
    outputs: (g.output ?? []).map((o) => ({ name: o.name ?? '' })),
  };
}

export function exportForTorch(bytes: Uint8Array, where: string): Result<ExportedGraph, string> {
  let model: ReturnType<typeof onnx.ModelProto.decode>;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return err(`${where}: not a readable ONNX model (${e instanceof Error ? e.message : String(e)})`);
  }
  const g = model.graph;
  if (!g) return err(`${where}: the model has no graph`);
  const weights = new Weights();
  for (const t of g.initializer ?? []) {
    const problem = weights.add(t.name ?? '', t);
    if (problem) return err(`${where}: ${problem}`);
  }
  const nodes: RunnerGraph['nodes'] = [];
  for (const n of g.node ?? []) {
    const node = exportNode(n, weights);
    if (typeof node === 'string') return err(`${where}: ${node}`);
    if (node) nodes.push(node);
  }
  return ok({
    graph: { ...exportIo(g), initializers: weights.initializers, nodes },
    weights: weights.bytes(),
  });
}
