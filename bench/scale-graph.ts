/**
 * A synthetic model of about `nodes` nodes for the scale bench and its test: a chain of residual blocks of
 * 11 nodes, each giving every default pass something to do, with tiny tensors ([1, 4, 4, 4]) so the time
 * measured is the graph machinery's and not arithmetic's:
 *   Conv → BatchNormalization → Max(·, 0) → Min(·, 6) → Identity → Dropout → Reshape(Constant [1, -1])
 *   → Reshape(Constant [1, 4, 4, 4]) → Add(·, block input)
 * Optimized, each block is Conv → Clip → Add (3 nodes): BN folds, Min/Max become Clip, Identity and Dropout
 * go, the Constants fold, the two Reshapes collapse into one that is a no-op and goes too.
 */
import { DType, type Model, type Node, type Tensor } from '../onnx/ir.js';
import { makeTensor } from '../onnx/rewrite/tensors.js';
import { encodeGraphProto } from '../onnx/serde.js';

const GRAPH = 5;

const C = 4;
const SHAPE = [1, C, 4, 4];
export const NODES_PER_BLOCK = 11;

const node = (opType: string, inputs: string[], outputs: string[], attributes: Node['attributes'] = []): Node => ({
  name: outputs[0] as string,
  opType,
  domain: '',
  inputs,
  outputs,
  attributes,
});
const ints = (values: number[]): Node['attributes'][number]['value'] => ({
  kind: 'tensor',
  value: makeTensor('', DType.INT64, [values.length], values),
});
const floats = (name: string, dims: number[], f: (i: number) => number): Tensor =>
  makeTensor(
    name,
    DType.FLOAT,
    dims,
    Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => f(i)),
  );

function block(k: number, x: string): { nodes: Node[]; initializers: Tensor[]; out: string } {
  const p = (s: string) => `b${k}_${s}`;
  const initializers = [
    floats(p('w'), [C, C, 1, 1], (i) => ((i * 7 + k) % 11) / 22 - 0.2),
    floats(p('b'), [C], (i) => i / 10),
    floats(p('g'), [C], () => 1.1),
    floats(p('beta'), [C], () => 0.05),
    floats(p('mean'), [C], () => 0.01),
    floats(p('var'), [C], () => 0.9),
    floats(p('lo'), [], () => 0),
    floats(p('hi'), [], () => 6),
  ];
  const nodes = [
    node('Conv', [x, p('w'), p('b')], [p('conv')]),
    node('BatchNormalization', [p('conv'), p('g'), p('beta'), p('mean'), p('var')], [p('bn')]),
    node('Max', [p('bn'), p('lo')], [p('max')]),
    node('Min', [p('max'), p('hi')], [p('min')]),
    node('Identity', [p('min')], [p('id')]),
    node('Dropout', [p('id')], [p('drop')]),
    node('Constant', [], [p('flat_shape')], [{ name: 'value', value: ints([1, -1]) }]),
    node('Reshape', [p('drop'), p('flat_shape')], [p('flat')]),
    node('Constant', [], [p('shape')], [{ name: 'value', value: ints(SHAPE) }]),
    node('Reshape', [p('flat'), p('shape')], [p('back')]),
    node('Add', [p('back'), x], [p('out')]),
  ];
  return { nodes, initializers, out: p('out') };
}

export function scaleModel(nodes: number): Model {
  const blocks = Math.max(1, Math.round(nodes / NODES_PER_BLOCK));
  const graphNodes: Node[] = [];
  const initializers: Tensor[] = [];
  let x = 'input';
  for (let k = 0; k < blocks; k++) {
    const b = block(k, x);
    graphNodes.push(...b.nodes);
    initializers.push(...b.initializers);
    x = b.out;
  }
  graphNodes.push(node('Identity', [x], ['output']));
  return {
    irVersion: 8,
    opsetImports: [{ domain: '', version: 17 }],
    producerName: 'enginefoundry-scale',
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadata: [],
    graph: {
      name: 'scale',
      nodes: graphNodes,
      initializers,
      valueInfo: [],
      inputs: [{ name: 'input', type: { dtype: DType.FLOAT, shape: SHAPE } }],
      outputs: [{ name: 'output', type: { dtype: DType.FLOAT, shape: SHAPE } }],
    },
  };
}

/**
 * The same chain inside the then-branch of an If (the else-branch passes the input through): every pass
 * works in the body, reading the input and the weights from the outer graph.
 */
export function scaleModelInBody(nodes: number): Model {
  const chain = scaleModel(nodes);
  const g = chain.graph;
  const output = g.outputs[0] as Model['graph']['outputs'][number];
  const graph = (name: string, body: Node[], out: string) =>
    encodeGraphProto({
      name,
      nodes: body,
      inputs: [],
      outputs: [{ ...output, name: out }],
      valueInfo: [],
      initializers: [],
    });
  const branch = (name: string, body: Node[], out: string) => ({
    name,
    value: { kind: 'opaque' as const, value: { name, type: GRAPH, g: graph(name, body, out) } },
  });
  const cond = makeTensor('', DType.BOOL, [], [1]);
  return {
    ...chain,
    graph: {
      ...g,
      nodes: [
        node('Constant', [], ['cond'], [{ name: 'value', value: { kind: 'tensor', value: cond } }]),
        node(
          'If',
          ['cond'],
          [output.name],
          [
            branch('then_branch', g.nodes, output.name),
            branch('else_branch', [node('Identity', ['input'], ['same'])], 'same'),
          ],
        ),
      ],
    },
  };
}
