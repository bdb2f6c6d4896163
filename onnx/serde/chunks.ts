/**
 * encodeModel's bytes as chunks, written with writev: a model reaches the disk without a second copy of its
 * weights in memory, whose first touch is a measurable part of a build (bench/build.ts).
 */
import { open } from 'node:fs/promises';
import type onnxProto from 'onnx-proto';
import type { Model } from '../ir.js';
import { modelMessage } from './encode.js';
import { onnx, Writer } from './proto.js';

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
 * where it lies, and only the framing around it is encoded.
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
