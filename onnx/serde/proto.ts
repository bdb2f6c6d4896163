/**
 * What decoding and encoding share: onnx-proto's generated messages, and what decoding remembers of each
 * message it read, so that encoding can re-emit it verbatim while the IR object still says what it said.
 */
import { createRequire } from 'node:module';
import type onnxProto from 'onnx-proto';
import type { Attribute, Graph, Model, Node } from '../ir.js';

// onnx-proto is CommonJS; `require` skips the ESM loader's scan of its 300 kB of generated code for
// named exports, which is a measurable part of a short process's start-up (bench/build.ts).
const require = createRequire(import.meta.url);
export const { onnx } = require('onnx-proto') as typeof onnxProto;
export const { Writer } = require('protobufjs/minimal.js') as typeof import('protobufjs');

type Long = { toNumber(): number };
/** An integer as protobufjs decodes it: a number, a Long for 64-bit fields, or nothing when unset. */
export type Int = number | Long | null | undefined;
export const int = (v: Int): number => (v == null ? 0 : typeof v === 'number' ? v : v.toNumber());

export const AttrType = onnx.AttributeProto.AttributeType;

/** What a decoded node was: the encoder writes its message back unchanged while the node still matches it. */
export interface NodeOrigin {
  /** The message it was decoded from. */
  proto: onnxProto.onnx.INodeProto;
  /** nodeSnapshot of the node as decoded. */
  snapshot: string;
  /** The node's attribute objects as decoded: the same objects, in order, mean they are unchanged. */
  attributes: readonly Attribute[];
}
export const nodeOrigin = new WeakMap<Node, NodeOrigin>();
export const graphOrigin = new WeakMap<Graph, onnxProto.onnx.IGraphProto>();
export const modelOrigin = new WeakMap<Model, onnxProto.onnx.IModelProto>();

/** A node's fields other than its attributes, as one string: equal strings mean the message still applies. */
export const nodeSnapshot = (n: Node): string =>
  JSON.stringify([n.name, n.opType, n.domain, n.inputs, n.outputs, n.docString ?? '']);
