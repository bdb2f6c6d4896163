/**
 * Constants become initializers:
 *   Constant nodes (value, value_float(s), value_int(s));
 *   Shape(x) when x's shape is static (with opset 15's start/end);
 *   any node with an evaluator (constant-eval.ts) whose inputs are all constants.
 * In every graph, bodies included (a body folds the enclosing graphs' constants it reads, too); a folded
 * value keeps its name, so a body reading it reads the initializer. Folded outputs that are graph outputs
 * stay computed, so the graph's interface does not change; results
 * over MAX_ELEMENTS stay computed, so folding never bloats the file.
 */
import { DType, type Node, type Tensor } from '../../../onnx/ir.js';
import { attr, intAttr, type Constants, type GraphIndex } from '../../../onnx/rewrite/graph-index.js';
import { graphPass, indexIn } from '../../../onnx/rewrite/scope.js';
import { makeTensor, tensorNumbers } from '../../../onnx/rewrite/tensors.js';
import { evaluators, type Value } from './constant-eval.js';

const MAX_ELEMENTS = 1 << 22;
const SAFE = 2 ** 53;

function constantNode(node: Node): Tensor | undefined {
  const out = node.outputs[0] as string;
  const a = node.attributes[0];
  if (!a || node.attributes.length !== 1) return undefined;
  switch (a.value.kind) {
    case 'tensor': {
      const t = a.value.value;
      return { ...t, name: out, proto: { ...t.proto, name: out } };
    }
    case 'float':
      return makeTensor(out, DType.FLOAT, [], [a.value.value]);
    case 'floats':
      return makeTensor(out, DType.FLOAT, [a.value.value.length], a.value.value);
    case 'int':
      return makeTensor(out, DType.INT64, [], [a.value.value]);
    case 'ints':
      return makeTensor(out, DType.INT64, [a.value.value.length], a.value.value);
    default:
      return undefined;
  }
}

function shapeNode(node: Node, opset: number, types: GraphIndex['types']): Tensor | undefined {
  const shape = types.get(node.inputs[0] ?? '')?.shape;
  if (!shape || !shape.every((d) => typeof d === 'number')) return undefined;
  const r = shape.length;
  const clamp = (x: number) => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
  const dims =
    opset >= 15 && (attr(node, 'start') || attr(node, 'end'))
      ? (shape as number[]).slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', r)))
      : (shape as number[]);
  return makeTensor(node.outputs[0] as string, DType.INT64, [dims.length], dims);
}

function evaluate(node: Node, opset: number, constants: Constants): Tensor | undefined {
  const f = evaluators[node.opType];
  if (!f || node.outputs.length !== 1) return undefined;
  const inputs: Value[] = [];
  for (const name of node.inputs) {
    const t = name ? constants.get(name) : undefined;
    const data = t && tensorNumbers(t);
    if (!t || !data || data.some((x) => Math.abs(x) > SAFE)) return undefined;
    inputs.push({ dtype: t.dtype, dims: [...t.dims], data });
  }
  const out = f(node, inputs, opset);
  if (!out || out.data.length > MAX_ELEMENTS || out.dtype === DType.UNDEFINED) return undefined;
  return makeTensor(node.outputs[0] as string, out.dtype, out.dims, out.data);
}

const description = 'Constant nodes, static Shape and nodes of constant inputs → initializers';

export const foldConstants = graphPass('fold-constants', description, (g, scope) => {
  const index = indexIn(g, scope);
  const removed = new Set<Node>();
  const folded: Tensor[] = [];
  g.nodes.forEach((node, k) => {
    if (k % 4096 === 0) scope.checkpoint();
    if (node.domain !== '' && node.domain !== 'ai.onnx') return;
    if (node.outputs.some((o) => index.graphOutputs.has(o))) return;
    const all = node.inputs.every((i) => !i || index.constants.has(i));
    const t =
      node.opType === 'Constant'
        ? constantNode(node)
        : node.opType === 'Shape'
          ? shapeNode(node, scope.opset, index.types)
          : all && node.inputs.length > 0
            ? evaluate(node, scope.opset, index.constants)
            : undefined;
    if (!t) return;
    removed.add(node);
    folded.push(t);
    index.constants.set(t.name, t);
  });
  if (removed.size === 0) return false;
  g.nodes = g.nodes.filter((n) => !removed.has(n));
  g.initializers = [...g.initializers, ...folded];
  return true;
});
