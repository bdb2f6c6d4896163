/** Tiny IR models written directly in code, for the checker and shape inference tests. */
import {
  DType,
  type Attribute,
  type Dim,
  type Graph,
  type Model,
  type Node,
  type Tensor,
  type ValueInfo,
} from '../../onnx/ir.js';

export const vi = (name: string, dtype: DType = DType.FLOAT, shape?: Dim[]): ValueInfo => ({
  name,
  type: shape ? { dtype, shape } : { dtype },
});

type AttrInput = number | number[] | string | Tensor | { float: number } | { floats: number[] };

function attribute(name: string, v: AttrInput): Attribute {
  if (typeof v === 'number') return { name, value: { kind: 'int', value: v } };
  if (typeof v === 'string') return { name, value: { kind: 'string', value: v } };
  if (Array.isArray(v)) return { name, value: { kind: 'ints', value: v } };
  if ('float' in v) return { name, value: { kind: 'float', value: v.float } };
  if ('floats' in v) return { name, value: { kind: 'floats', value: v.floats } };
  return { name, value: { kind: 'tensor', value: v } };
}

export function node(
  opType: string,
  inputs: string[],
  outputs: string[],
  attrs: Record<string, AttrInput> = {},
  name = outputs[0] ?? opType,
): Node {
  return {
    name,
    opType,
    domain: '',
    inputs,
    outputs,
    attributes: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  };
}

export function floats(name: string, dims: number[], values?: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(values ?? Array.from({ length: n }, (_, i) => (i % 7) / 7 - 0.4));
  return {
    name,
    dtype: DType.FLOAT,
    dims,
    proto: { name, dims, dataType: DType.FLOAT, rawData: new Uint8Array(data.buffer) },
  };
}

export function int64s(name: string, values: number[], dims: number[] = [values.length]): Tensor {
  const data = new BigInt64Array(values.map((v) => BigInt(v)));
  return {
    name,
    dtype: DType.INT64,
    dims,
    proto: { name, dims, dataType: DType.INT64, rawData: new Uint8Array(data.buffer) },
  };
}

export function model(graph: Partial<Graph> & Pick<Graph, 'nodes'>, opset = 13, irVersion = 7): Model {
  return {
    irVersion,
    opsetImports: [{ domain: '', version: opset }],
    producerName: 'test',
    producerVersion: '',
    domain: '',
    modelVersion: 0,
    docString: '',
    metadata: [],
    graph: { name: 'g', inputs: [], outputs: [], valueInfo: [], initializers: [], ...graph },
  };
}

/** Conv → BatchNormalization → Relu → GlobalAveragePool → Flatten → Gemm, the shape of the MobileNet head. */
export function smallNet(opset = 13): Model {
  return model(
    {
      inputs: [vi('x', DType.FLOAT, [1, 3, 8, 8])],
      outputs: [vi('y', DType.FLOAT, [1, 5])],
      initializers: [
        floats('w', [4, 3, 3, 3]),
        floats('b', [4]),
        floats('s', [4]),
        floats('o', [4]),
        floats('m', [4]),
        floats('v', [4], [1, 1, 1, 1]),
        floats('fw', [5, 4]),
        floats('fb', [5]),
      ],
      nodes: [
        node('Conv', ['x', 'w', 'b'], ['c'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }),
        node('BatchNormalization', ['c', 's', 'o', 'm', 'v'], ['bn']),
        node('Relu', ['bn'], ['r']),
        node('GlobalAveragePool', ['r'], ['p']),
        node('Flatten', ['p'], ['f'], { axis: 1 }),
        node('Gemm', ['f', 'fw', 'fb'], ['y'], { transB: 1 }),
      ],
    },
    opset,
  );
}
