/** A model with an If, for the FP16 body tests: the then-branch runs on any input, the else-branch never. */
import { DType, type Attribute, type Graph, type Model } from '../../../onnx/ir.js';
import { encodeGraphProto } from '../../../onnx/serde.js';
import { floats, model, node, vi } from '../../onnx/model-kit.js';

const GRAPH = 5;
const body = (name: string, nodes: Graph['nodes'], out: string): Attribute => ({
  name,
  value: {
    kind: 'opaque',
    value: {
      name,
      type: GRAPH,
      g: encodeGraphProto({
        name,
        nodes,
        inputs: [],
        valueInfo: [],
        initializers: [],
        outputs: [vi(out, DType.FLOAT, [2, 3])],
      }),
    },
  },
});

/**
 * y = If(sum|x| > 0) then Identity(x · k) else x − k: the then-branch always runs, the else-branch never. The
 * Identity keeps a float16 value that onnxruntime's CPU provider cannot widen away (it computes Mul in float32
 * between Casts, and drops a float32 → float16 → float32 Cast pair), so converting the branch shows.
 */
export const ifModel = (): Model =>
  model({
    inputs: [vi('x', DType.FLOAT, [2, 3])],
    outputs: [vi('y', DType.FLOAT, [2, 3])],
    initializers: [floats('k', [3]), floats('zero', [], [0])],
    nodes: [
      node('Abs', ['x'], ['ax']),
      node('ReduceSum', ['ax'], ['s'], { keepdims: 0 }),
      node('Greater', ['s', 'zero'], ['cond']),
      {
        ...node('If', ['cond'], ['y']),
        attributes: [
          body('then_branch', [node('Mul', ['x', 'k'], ['m']), node('Identity', ['m'], ['t'])], 't'),
          body('else_branch', [node('Sub', ['x', 'k'], ['e'])], 'e'),
        ],
      },
    ],
  });
