/**
 * Tiny IR models written in code, for pass tests: `tiny({ inputs: { x: [1, 3, 4, 4] }, nodes: [...] })`.
 * Value names double as node names; weights are seeded normals so folds are checked on real numbers.
 */
import { DType, type Attribute, type Dim, type Model, type Node, type Tensor } from '../../../onnx/ir.js';
import { inferShapes } from '../../../onnx/infer/index.js';
import { normalFloats } from '../../../onnx/random.js';
import { makeTensor } from '../../../onnx/rewrite/tensors.js';

type AttrInput = number | number[] | string | Tensor;

export function node(opType: string, inputs: string[], outputs: string[], attrs: Record<string, AttrInput> = {}): Node {
  const attributes: Attribute[] = Object.entries(attrs).map(([name, v]) => ({
    name,
    value:
      typeof v === 'string'
        ? { kind: 'string', value: v }
        : Array.isArray(v)
          ? { kind: 'ints', value: v }
          : typeof v === 'number'
            ? Number.isInteger(v)
              ? { kind: 'int', value: v }
              : { kind: 'float', value: v }
            : { kind: 'tensor', value: v },
  }));
  return { name: outputs[0] ?? opType, opType, domain: '', inputs, outputs, attributes };
}

export const floats = (name: string, dims: number[], seed: number, f: (x: number) => number = (x) => x): Tensor =>
  makeTensor(
    name,
    DType.FLOAT,
    dims,
    normalFloats(
      dims.reduce((a, b) => a * b, 1),
      seed,
    ).map(f),
  );
export const ints = (name: string, values: number[]): Tensor => makeTensor(name, DType.INT64, [values.length], values);
export const scalar = (name: string, dtype: DType, value: number): Tensor => makeTensor(name, dtype, [], [value]);

export interface TinySpec {
  opset?: number;
  inputs: Record<string, Dim[]>;
  outputs: string[];
  outputTypes?: Record<string, Dim[]>;
  nodes: Node[];
  initializers?: Tensor[];
}

/** Output types come from shape inference unless `outputTypes` gives them: the validator wants them shaped. */
export function tiny(spec: TinySpec): Model {
  const model: Model = {
    irVersion: 8,
    opsetImports: [{ domain: '', version: spec.opset ?? 13 }],
    producerName: 'tiny',
    producerVersion: '',
    domain: '',
    modelVersion: 1,
    docString: '',
    metadata: [],
    graph: {
      name: 'tiny',
      nodes: spec.nodes,
      inputs: Object.entries(spec.inputs).map(([name, shape]) => ({ name, type: { dtype: DType.FLOAT, shape } })),
      outputs: spec.outputs.map((name) => ({
        name,
        type: { dtype: DType.FLOAT, ...(spec.outputTypes?.[name] ? { shape: spec.outputTypes[name] } : {}) },
      })),
      valueInfo: [],
      initializers: spec.initializers ?? [],
    },
  };
  const inferred = inferShapes(model);
  model.graph.outputs = model.graph.outputs.map((o) =>
    o.type?.shape ? o : { name: o.name, type: inferred.get(o.name) ?? { dtype: DType.FLOAT } },
  );
  return model;
}

export const opTypes = (m: Model): string[] => m.graph.nodes.map((n) => n.opType);
