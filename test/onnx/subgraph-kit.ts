/** Graph-valued attributes (If branches, Loop and Scan bodies) for tiny models written in code. */
import onnxProto from 'onnx-proto';
import type { Attribute, Graph, Node } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import { model } from './model-kit.js';

/** The attribute `name` holding `graph`, as a decoded model carries it (the GraphProto message). */
export function graphAttribute(name: string, graph: Partial<Graph> & Pick<Graph, 'nodes'>): Attribute {
  const g = onnxProto.onnx.ModelProto.decode(encodeModel(model({ name, ...graph }))).graph!;
  const type = onnxProto.onnx.AttributeProto.AttributeType.GRAPH;
  return { name, value: { kind: 'opaque', value: { name, type, g } } };
}

export function withBodies(n: Node, bodies: Record<string, Partial<Graph> & Pick<Graph, 'nodes'>>): Node {
  return { ...n, attributes: [...n.attributes, ...Object.entries(bodies).map(([k, g]) => graphAttribute(k, g))] };
}
