/** ModelProto bytes → IR. Each node, graph and model remembers the message it came from (proto.ts). */
import type onnxProto from 'onnx-proto';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { AttributeValue, Dim, DType, Graph, Model, Node, Tensor, ValueInfo } from '../ir.js';
import { protobufFailure, unsafeDims } from './errors.js';
import { AttrType, graphOrigin, int, modelOrigin, nodeOrigin, nodeSnapshot, onnx } from './proto.js';

export function decodeModel(bytes: Uint8Array): Result<Model, string> {
  if (bytes.length === 0) return err('the file is empty');
  let proto: onnxProto.onnx.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return err(`not an ONNX model: ${protobufFailure(e, bytes.length)}`);
  }
  if (!proto.graph) return err('not an ONNX model: it has no graph (field ModelProto.graph)');
  if (int(proto.irVersion) <= 0) return err('not an ONNX model: ir_version is missing (field ModelProto.ir_version)');
  const graph = decodeGraphProto(proto.graph);
  if (!graph.ok) return graph;
  const model: Model = {
    irVersion: int(proto.irVersion),
    opsetImports: proto.opsetImport.map((o) => ({ domain: o.domain ?? '', version: int(o.version) })),
    producerName: proto.producerName ?? '',
    producerVersion: proto.producerVersion ?? '',
    domain: proto.domain ?? '',
    modelVersion: int(proto.modelVersion),
    docString: proto.docString ?? '',
    metadata: proto.metadataProps.map((p) => ({ key: p.key ?? '', value: p.value ?? '' })),
    graph: graph.value,
    extra: { functions: proto.functions, trainingInfo: proto.trainingInfo },
  };
  modelOrigin.set(model, proto);
  return ok(model);
}

/** A TensorProto on its own, as ONNX's test data stores inputs and outputs (`input_0.pb`). */
export function decodeTensor(bytes: Uint8Array): Result<Tensor, string> {
  let p: onnxProto.onnx.TensorProto;
  try {
    p = onnx.TensorProto.decode(bytes);
  } catch (e) {
    return err(`not a TensorProto: ${protobufFailure(e, bytes.length)}`);
  }
  const bad = unsafeDims(p.dims);
  if (bad) return err(`dimension ${bad} is beyond what can be indexed (field TensorProto.dims)`);
  return ok(decodeTensorProto(p));
}

/** A graph (the model's, or an If/Loop/Scan body) as IR; the first node or initializer it cannot take is named. */
export function decodeGraphProto(g: onnxProto.onnx.IGraphProto): Result<Graph, string> {
  const nodes: Node[] = [];
  for (const [i, n] of (g.node ?? []).entries()) {
    if (!n.opType)
      return err(`node #${i}${n.name ? ` (${n.name})` : ''} has no op_type (field GraphProto.node[${i}].op_type)`);
    nodes.push(decodeNode(n));
  }
  for (const [k, t] of (g.initializer ?? []).entries()) {
    const bad = unsafeDims(t.dims);
    if (bad)
      return err(
        `initializer ${t.name ? `"${t.name}"` : `#${k}`} has dimension ${bad}, beyond what can be indexed ` +
          `(field GraphProto.initializer[${k}].dims)`,
      );
  }
  const graph: Graph = {
    name: g.name ?? '',
    nodes,
    inputs: (g.input ?? []).map(decodeValueInfo),
    outputs: (g.output ?? []).map(decodeValueInfo),
    valueInfo: (g.valueInfo ?? []).map(decodeValueInfo),
    initializers: (g.initializer ?? []).map(decodeTensorProto),
    docString: g.docString || undefined,
    extra: { sparseInitializer: g.sparseInitializer ?? [], quantizationAnnotation: g.quantizationAnnotation ?? [] },
  };
  graphOrigin.set(graph, g);
  return ok(graph);
}

function decodeNode(p: onnxProto.onnx.INodeProto): Node {
  const node: Node = {
    name: p.name ?? '',
    opType: p.opType ?? '',
    domain: p.domain ?? '',
    inputs: [...(p.input ?? [])],
    outputs: [...(p.output ?? [])],
    attributes: (p.attribute ?? []).map((a) => ({ name: a.name ?? '', value: decodeAttributeValue(a), proto: a })),
    docString: p.docString || undefined,
  };
  nodeOrigin.set(node, { proto: p, snapshot: nodeSnapshot(node), attributes: [...node.attributes] });
  return node;
}

function decodeAttributeValue(a: onnxProto.onnx.IAttributeProto): AttributeValue {
  switch (a.type) {
    case AttrType.FLOAT:
      return { kind: 'float', value: a.f ?? 0 };
    case AttrType.INT:
      return { kind: 'int', value: int(a.i) };
    case AttrType.STRING:
      return { kind: 'string', value: Buffer.from(a.s ?? new Uint8Array()).toString('utf8') };
    case AttrType.TENSOR:
      return a.t ? { kind: 'tensor', value: decodeTensorProto(a.t) } : { kind: 'opaque', value: a };
    case AttrType.FLOATS:
      return { kind: 'floats', value: [...(a.floats ?? [])] };
    case AttrType.INTS:
      return { kind: 'ints', value: (a.ints ?? []).map(int) };
    case AttrType.STRINGS:
      return { kind: 'strings', value: (a.strings ?? []).map((s) => Buffer.from(s).toString('utf8')) };
    default:
      return { kind: 'opaque', value: a };
  }
}

function decodeTensorProto(p: onnxProto.onnx.ITensorProto): Tensor {
  return { name: p.name ?? '', dtype: (p.dataType ?? 0) as DType, dims: (p.dims ?? []).map(int), proto: p };
}

export function decodeValueInfo(p: onnxProto.onnx.IValueInfoProto): ValueInfo {
  const tt = p.type?.tensorType;
  const info: ValueInfo = { name: p.name ?? '', proto: p };
  if (tt) {
    const shape = tt.shape ? (tt.shape.dim?.map(decodeDim) ?? []) : undefined;
    info.type = shape ? { dtype: (tt.elemType ?? 0) as DType, shape } : { dtype: (tt.elemType ?? 0) as DType };
  }
  if (p.docString) info.docString = p.docString;
  return info;
}

function decodeDim(d: onnxProto.onnx.TensorShapeProto.IDimension): Dim {
  if (d.dimValue != null && Object.prototype.hasOwnProperty.call(d, 'dimValue')) return int(d.dimValue);
  return d.dimParam || null;
}
