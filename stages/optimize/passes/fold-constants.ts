/**
 * Constants become initializers:
 *   Constant nodes (value, value_float(s), value_int(s));
 *   Shape(x) when x's shape is static (with opset 15's start/end);
 *   any node with an evaluator (constant-eval.ts) whose inputs are all constants.
 * Folded outputs that are graph outputs stay computed, so the graph's interface does not change; results
 * over MAX_ELEMENTS stay computed, so folding never bloats the file.
 */
import { DType, type Model, type Node, type Tensor } from '../../../onnx/ir.js';
import { attr, hasSubgraphs, indexModel, intAttr, type GraphIndex } from '../../../onnx/rewrite/graph-index.js';
import { opsetVersion } from '../../../onnx/rewrite/opset.js';
import { definePass } from '../../../onnx/rewrite/pass.js';
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
    case 'float': return makeTensor(out, DType.FLOAT, [], [a.value.value]);
    case 'floats': return makeTensor(out, DType.FLOAT, [a.value.value.length], a.value.value);
    case 'int': return makeTensor(out, DType.INT64, [], [a.value.value]);
    case 'ints': return makeTensor(out, DType.INT64, [a.value.value.length], a.value.value);
    default: return undefined;
  }
}

function shapeNode(node: Node, model: Model, types: GraphIndex['types']): Tensor | undefined {
  const shape = types.get(node.inputs[0] ?? '')?.shape;
  if (!shape || !shape.every((d) => typeof d === 'number')) return undefined;
  const r = shape.length, clamp = (x: number) => Math.min(Math.max(x < 0 ? x + r : x, 0), r);
  const dims = opsetVersion(model) >= 15 && (attr(node, 'start') || attr(node, 'end'))
    ? (shape as number[]).slice(clamp(intAttr(node, 'start', 0)), clamp(intAttr(node, 'end', r)))
    : (shape as number[]);
  return makeTensor(node.outputs[0] as string, DType.INT64, [dims.length], dims);
}

function evaluate(node: Node, model: Model, constants: Map<string, Tensor>): Tensor | undefined {
  const f = evaluators[node.opType];
  if (!f || node.outputs.length !== 1) return undefined;
  const inputs: Value[] = [];
  for (const name of node.inputs) {
    const t = name ? constants.get(name) : undefined;
    const data = t && tensorNumbers(t);
    if (!t || !data || data.some((x) => Math.abs(x) > SAFE)) return undefined;
    inputs.push({ dtype: t.dtype, dims: [...t.dims], data });
  }
  const out = f(node, inputs, opsetVersion(model));
  if (!out || out.data.length > MAX_ELEMENTS || out.dtype === DType.UNDEFINED) return undefined;
  return makeTensor(node.outputs[0] as string, out.dtype, out.dims, out.data);
}

export const foldConstants = definePass({
  name: 'fold-constants',
  description: 'Constant nodes, static Shape and nodes of constant inputs → initializers',
  run(model) {
    const g = model.graph;
    if (hasSubgraphs(g)) return { model, changed: false };
    const index = indexModel(model);
    let changed = false;
    for (const node of [...g.nodes]) {
      if ((node.domain !== '' && node.domain !== 'ai.onnx') || node.outputs.some((o) => index.graphOutputs.has(o))) continue;
      const all = node.inputs.every((i) => !i || index.constants.has(i));
      const folded = node.opType === 'Constant' ? constantNode(node)
        : node.opType === 'Shape' ? shapeNode(node, model, index.types)
        : all && node.inputs.length > 0 ? evaluate(node, model, index.constants) : undefined;
      if (!folded) continue;
      g.nodes.splice(g.nodes.indexOf(node), 1);
      g.initializers.push(folded);
      index.constants.set(folded.name, folded);
      changed = true;
    }
    return { model, changed };
  },
});
