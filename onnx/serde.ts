/**
 * ModelProto ⇄ IR, once each way. Decoding remembers, per node, value info and graph, the message it came
 * from; encoding re-emits that message verbatim while the IR object still says what it said, and builds a
 * fresh one from the IR's fields otherwise. ONNX is proto2, so field presence is part of the bytes: a fresh
 * message writes a field when the original had it or when its value is not the default.
 */
import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type onnxProto from 'onnx-proto';
import { err, ok, type Result } from '../pipeline/result.js';
import { unreachable } from '../pipeline/unreachable.js';
import { internalize } from './external-data.js';
import type { Attribute, AttributeValue, Dim, DType, Graph, Model, Node, Tensor, ValueInfo } from './ir.js';

// onnx-proto is CommonJS; `require` skips the ESM loader's scan of its 300 kB of generated code for
// named exports, which is a measurable part of a short process's start-up (bench/build.ts).
const require = createRequire(import.meta.url);
const { onnx } = require('onnx-proto') as typeof onnxProto;
const { Writer } = require('protobufjs/minimal.js') as typeof import('protobufjs');

type Long = { toNumber(): number };
type Int = number | Long | null | undefined;
const int = (v: Int): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

const AttrType = onnx.AttributeProto.AttributeType;

interface NodeOrigin {
  proto: onnxProto.onnx.INodeProto;
  snapshot: string;
  attributes: readonly Attribute[];
}
const nodeOrigin = new WeakMap<Node, NodeOrigin>();
const graphOrigin = new WeakMap<Graph, onnxProto.onnx.IGraphProto>();
const modelOrigin = new WeakMap<Model, onnxProto.onnx.IModelProto>();

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
  const graph = decodeGraph(proto.graph);
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

export function encodeModel(model: Model): Uint8Array {
  return onnx.ModelProto.encode(modelMessage(model)).finish();
}

/** The fields each message encodes before the one split out (protobufjs writes fields in number order). */
const MODEL_BEFORE_GRAPH = [
  'irVersion',
  'producerName',
  'producerVersion',
  'domain',
  'modelVersion',
  'docString',
] as const;
const GRAPH_BEFORE_INITIALIZER = ['node', 'name'] as const;
const TENSOR_BEFORE_RAW = [
  'dims',
  'dataType',
  'segment',
  'floatData',
  'int32Data',
  'stringData',
  'int64Data',
  'name',
] as const;

/**
 * The bytes of encodeModel(model) as chunks: raw tensor data of `byReference` bytes or more is referenced
 * where it lies, and only the framing around it is encoded. Written with writev, a model reaches the disk
 * without a second copy of its weights in memory, whose first touch is a measurable part of a build
 * (bench/build.ts).
 */
export function encodeModelChunks(model: Model, byReference = 1 << 16): Uint8Array[] {
  const msg = modelMessage(model);
  const graph = msg.graph;
  const big = (t: onnxProto.onnx.ITensorProto) => (t.rawData?.length ?? 0) >= byReference;
  if (!graph?.initializer?.some(big)) return [onnx.ModelProto.encode(msg).finish()];
  const initializers = graph.initializer.map((t) => {
    if (!big(t)) return framed(5, [onnx.TensorProto.encode(t).finish()]);
    const raw = t.rawData as Uint8Array;
    return framed(5, [
      onnx.TensorProto.encode(pick(t, TENSOR_BEFORE_RAW)).finish(),
      ...framed(9, [raw]),
      onnx.TensorProto.encode(omit(t, [...TENSOR_BEFORE_RAW, 'rawData'])).finish(),
    ]);
  });
  const graphChunks = [
    onnx.GraphProto.encode(pick(graph, GRAPH_BEFORE_INITIALIZER)).finish(),
    ...initializers.flat(),
    onnx.GraphProto.encode(omit(graph, [...GRAPH_BEFORE_INITIALIZER, 'initializer'])).finish(),
  ];
  return [
    onnx.ModelProto.encode(pick(msg, MODEL_BEFORE_GRAPH)).finish(),
    ...framed(7, graphChunks),
    onnx.ModelProto.encode(omit(msg, [...MODEL_BEFORE_GRAPH, 'graph'])).finish(),
  ];
}

/** Writes the model as encodeModel's bytes, without assembling them in memory first. */
export async function writeModelFile(path: string, model: Model): Promise<void> {
  const file = await open(path, 'w');
  try {
    await file.writev(encodeModelChunks(model));
  } finally {
    await file.close();
  }
}

/** A length-delimited field: its tag and length, then the chunks of its body. */
function framed(field: number, body: Uint8Array[]): Uint8Array[] {
  const length = body.reduce((n, c) => n + c.length, 0);
  return [
    Writer.create()
      .uint32((field << 3) | 2)
      .uint32(length)
      .finish(),
    ...body,
  ];
}

function pick<T extends object, K extends keyof T>(msg: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) if (Object.hasOwn(msg, k)) out[k] = msg[k];
  return out;
}

function omit<T extends object>(msg: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = { ...msg };
  for (const k of keys) delete out[k];
  return out;
}

/** The ModelProto message for the IR, reusing what decoding kept where the IR still says the same. */
function modelMessage(model: Model): onnxProto.onnx.IModelProto {
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
  msg.graph = encodeGraph(model.graph);
  if (model.metadata.length) msg.metadataProps = model.metadata.map((m) => ({ key: m.key, value: m.value }));
  if (model.extra?.trainingInfo?.length) msg.trainingInfo = model.extra.trainingInfo;
  if (model.extra?.functions?.length) msg.functions = model.extra.functions;
  return msg;
}

/** A file's bytes, or one message naming it: what a missing or unreadable model or tensor file reports. */
export async function readBytes(path: string): Promise<Result<Uint8Array, string>> {
  try {
    return ok(await readFile(path));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return err(code === 'ENOENT' ? `${path}: no such file` : `${path}: cannot be read (${code ?? String(e)})`);
  }
}

/**
 * Reads and decodes a model file, with the bytes of its external data (files beside it) read in; every failure
 * is one message that names the file and says what to do.
 */
export async function readModelFile(path: string): Promise<Result<Model, string>> {
  const bytes = await readBytes(path);
  if (!bytes.ok) return bytes;
  const model = decodeModel(bytes.value);
  if (!model.ok)
    return err(
      `${path}: ${model.error}. Rebuild or re-export the model; a partial copy or a non-ONNX file cannot be used.`,
    );
  const whole = await internalize(model.value, dirname(path));
  return whole.ok ? whole : err(`${path}: ${whole.error}`);
}

/** A subgraph (an If/Loop/Scan body) as IR, and back: the message it came from is reused where unchanged. */
export const decodeGraphProto = (g: onnxProto.onnx.IGraphProto): Result<Graph, string> => decodeGraph(g);
export const encodeGraphProto = (graph: Graph): onnxProto.onnx.IGraphProto => encodeGraph(graph);

function decodeGraph(g: onnxProto.onnx.IGraphProto): Result<Graph, string> {
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
        `initializer ${t.name ? `"${t.name}"` : `#${k}`} has dimension ${bad}, beyond what can be indexed (field GraphProto.initializer[${k}].dims)`,
      );
  }
  const graph: Graph = {
    name: g.name ?? '',
    nodes,
    inputs: (g.input ?? []).map(decodeValueInfo),
    outputs: (g.output ?? []).map(decodeValueInfo),
    valueInfo: (g.valueInfo ?? []).map(decodeValueInfo),
    initializers: (g.initializer ?? []).map(decodeTensorProto),
    ...(g.docString ? { docString: g.docString } : {}),
    extra: { sparseInitializer: g.sparseInitializer ?? [], quantizationAnnotation: g.quantizationAnnotation ?? [] },
  };
  graphOrigin.set(graph, g);
  return ok(graph);
}

function encodeGraph(graph: Graph): onnxProto.onnx.IGraphProto {
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

const snapshot = (n: Node): string =>
  JSON.stringify([n.name, n.opType, n.domain, n.inputs, n.outputs, n.docString ?? '']);

function decodeNode(p: onnxProto.onnx.INodeProto): Node {
  const node: Node = {
    name: p.name ?? '',
    opType: p.opType ?? '',
    domain: p.domain ?? '',
    inputs: [...(p.input ?? [])],
    outputs: [...(p.output ?? [])],
    attributes: (p.attribute ?? []).map((a) => ({ name: a.name ?? '', value: decodeAttributeValue(a), proto: a })),
    ...(p.docString ? { docString: p.docString } : {}),
  };
  nodeOrigin.set(node, { proto: p, snapshot: snapshot(node), attributes: [...node.attributes] });
  return node;
}

function encodeNode(node: Node): onnxProto.onnx.INodeProto {
  const origin = nodeOrigin.get(node);
  const unchanged =
    origin &&
    origin.snapshot === snapshot(node) &&
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

function decodeTensorProto(p: onnxProto.onnx.ITensorProto): Tensor {
  return { name: p.name ?? '', dtype: (p.dataType ?? 0) as DType, dims: (p.dims ?? []).map(int), proto: p };
}

function encodeTensor(t: Tensor): onnxProto.onnx.ITensorProto {
  return t.name === (t.proto.name ?? '') ? t.proto : { ...t.proto, name: t.name };
}

function decodeValueInfo(p: onnxProto.onnx.IValueInfoProto): ValueInfo {
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

const valueInfoSnapshot = new WeakMap<ValueInfo, string>();
function encodeValueInfo(v: ValueInfo): onnxProto.onnx.IValueInfoProto {
  if (v.proto) {
    let snap = valueInfoSnapshot.get(v);
    if (snap === undefined) {
      snap = JSON.stringify(decodeValueInfo(v.proto), (k, x) => (k === 'proto' ? undefined : x));
      valueInfoSnapshot.set(v, snap);
    }
    if (snap === JSON.stringify(v, (k, x) => (k === 'proto' ? undefined : x))) return v.proto;
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

/** A tensor as a TensorProto on its own, the form of ONNX's test data files (`input_0.pb`). */
export const encodeTensorBytes = (t: Tensor): Uint8Array => onnx.TensorProto.encode(encodeTensor(t)).finish();

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

/** A dimension that does not survive conversion to a JS number (beyond 2^53, or negative), as text. */
function unsafeDims(dims: readonly Int[] | null | undefined): string | undefined {
  const bad = (dims ?? []).find((d) => !Number.isSafeInteger(int(d)) || int(d) < 0);
  return bad === undefined ? undefined : String(bad);
}

/** protobufjs's reason, said in terms of the file: where decoding stopped and whether it looks truncated. */
function protobufFailure(e: unknown, length: number): string {
  const why = e instanceof Error ? e.message : String(e);
  const range = /index out of range: (\d+) \+ (\d+) > (\d+)/.exec(why);
  if (range)
    return `protobuf decoding failed at byte offset ${range[1]}: a field needs ${range[2]} more bytes but the data ends at byte ${length} (truncated file?)`;
  return `protobuf decoding failed (${why}); the data is corrupt or not this kind of protobuf message`;
}
