/**
 * IR → ModelProto messages. Each node, graph and value info re-emits the message it was decoded from while
 * the IR still says what that message said, and gets a fresh one from the IR's fields otherwise. ONNX is
 * proto2, so field presence is part of the bytes: a fresh message writes a field when the original had it or
 * when its value is not the default.
 */
import type onnxProto from 'onnx-proto';
import { unreachable } from '../../pipeline/unreachable.js';
import type { Attribute, Graph, Model, Node, Tensor, ValueInfo } from '../ir.js';
import { decodeValueInfo } from './decode.js';
import { AttrType, graphOrigin, modelOrigin, nodeOrigin, nodeSnapshot, onnx } from './proto.js';

export function encodeModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(modelMessage(model)).finish();
}

/** A tensor as a TensorProto on its own, the form of ONNX's test data files (`input_0.pb`). */
export const encodeTensorBytes = (t: Tensor): Uint8Array => onnx.TensorProto.encode(encodeTensor(t)).finish();

/** The ModelProto message for the IR, reusing what decoding kept where the IR still says the same. */
export function modelMessage(model: Model): onnxProto.onnx.IModelProto {
  const orig = modelOrigin.get(model);
  const msg: onnxProto.onnx.IModelProto = {};
  set(msg, orig, 'irVersion', model.irVersion, 0);
  if (model.opsetImports.length) {
    msg.opsetImport = model.opsetImports.map((o, i) => {
      const was = orig?.opsetImport?.[i];
      const out: onnxProto.onnx.IOperatorSetIdProto = {};
      set(out, was, 'domain', o.domain, '');
      set(out, was, 'version', o.version, 0);
      return out;
    });
  }
  set(msg, orig, 'producerName', model.producerName, '');
  set(msg, orig, 'producerVersion', model.producerVersion, '');
  set(msg, orig, 'domain', model.domain, '');
  set(msg, orig, 'modelVersion', model.modelVersion, 0);
  set(msg, orig, 'docString', model.docString, '');
  msg.graph = encodeGraphProto(model.graph);
  if (model.metadata.length) msg.metadataProps = model.metadata.map((m) => ({ key: m.key, value: m.value }));
  if (model.extra?.trainingInfo?.length) msg.trainingInfo = model.extra.trainingInfo;
  if (model.extra?.functions?.length) msg.functions = model.extra.functions;
  return msg;
}

/** A graph (the model's, or an If/Loop/Scan body) as a GraphProto message. */
export function encodeGraphProto(graph: Graph): onnxProto.onnx.IGraphProto {
  const orig = graphOrigin.get(graph);
  const msg: onnxProto.onnx.IGraphProto = {};
  if (graph.nodes.length) msg.node = graph.nodes.map(encodeNode);
  set(msg, orig, 'name', graph.name, '');
  if (graph.initializers.length) msg.initializer = graph.initializers.map(encodeTensor);
  set(msg, orig, 'docString', graph.docString ?? '', '');
  if (graph.inputs.length) msg.input = graph.inputs.map(encodeValueInfo);
  if (graph.outputs.length) msg.output = graph.outputs.map(encodeValueInfo);
  if (graph.valueInfo.length) msg.valueInfo = graph.valueInfo.map(encodeValueInfo);
  if (graph.extra?.quantizationAnnotation?.length) msg.quantizationAnnotation = graph.extra.quantizationAnnotation;
  if (graph.extra?.sparseInitializer?.length) msg.sparseInitializer = graph.extra.sparseInitializer;
  return msg;
}

function encodeNode(node: Node): onnxProto.onnx.INodeProto {
  const origin = nodeOrigin.get(node);
  const unchanged =
    origin &&
    origin.snapshot === nodeSnapshot(node) &&
    origin.attributes.length === node.attributes.length &&
    origin.attributes.every((a, i) => a === node.attributes[i]);
  if (unchanged) return origin.proto;
  const was = origin?.proto;
  const msg: onnxProto.onnx.INodeProto = {};
  if (node.inputs.length) msg.input = node.inputs;
  if (node.outputs.length) msg.output = node.outputs;
  set(msg, was, 'name', node.name, '');
  msg.opType = node.opType;
  if (node.attributes.length) msg.attribute = node.attributes.map(encodeAttribute);
  set(msg, was, 'docString', node.docString ?? '', '');
  set(msg, was, 'domain', node.domain, '');
  return msg;
}

function encodeAttribute(a: Attribute): onnxProto.onnx.IAttributeProto {
  if (a.proto) return a.name === a.proto.name ? a.proto : { ...a.proto, name: a.name };
  const v = a.value;
  switch (v.kind) {
    case 'float':
      return { name: a.name, type: AttrType.FLOAT, f: v.value };
    case 'int':
      return { name: a.name, type: AttrType.INT, i: v.value };
    case 'string':
      return { name: a.name, type: AttrType.STRING, s: Buffer.from(v.value, 'utf8') };
    case 'tensor':
      return { name: a.name, type: AttrType.TENSOR, t: encodeTensor(v.value) };
    case 'floats':
      return { name: a.name, type: AttrType.FLOATS, floats: v.value };
    case 'ints':
      return { name: a.name, type: AttrType.INTS, ints: v.value };
    case 'strings':
      return { name: a.name, type: AttrType.STRINGS, strings: v.value.map((s) => Buffer.from(s, 'utf8')) };
    case 'opaque':
      return { ...v.value, name: a.name };
    default:
      return unreachable(v);
  }
}

function encodeTensor(t: Tensor): onnxProto.onnx.ITensorProto {
  return t.name === (t.proto.name ?? '') ? t.proto : { ...t.proto, name: t.name };
}

const withoutProto = (k: string, x: unknown) => (k === 'proto' ? undefined : x);
const valueInfoSnapshot = new WeakMap<ValueInfo, string>();

function encodeValueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  if (v.proto) {
    let snap = valueInfoSnapshot.get(v);
    if (snap === undefined) {
      snap = JSON.stringify(decodeValueInfo(v.proto), withoutProto);
      valueInfoSnapshot.set(v, snap);
    }
    if (snap === JSON.stringify(v, withoutProto)) return v.proto;
  }
  const msg: onnxProto.onnx.IValueInfoProto = { name: v.name };
  if (v.type) {
    const tensorType: onnxProto.onnx.TypeProto.ITensor = { elemType: v.type.dtype };
    if (v.type.shape) {
      tensorType.shape = {
        dim: v.type.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : d === null ? {} : { dimParam: d })),
      };
    }
    msg.type = { tensorType };
  } else if (v.proto?.type) {
    msg.type = v.proto.type;
  }
  if (v.docString) msg.docString = v.docString;
  return msg;
}

/** Writes `key` when the original message had it, or when the value differs from proto2's default. */
function set<T extends object, K extends keyof T>(
  msg: T,
  orig: object | undefined,
  key: K,
  value: T[K],
  dflt: T[K],
): void {
  if (value !== dflt || (orig !== undefined && Object.prototype.hasOwnProperty.call(orig, key))) msg[key] = value;
}
