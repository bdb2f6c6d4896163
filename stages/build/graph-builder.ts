/**
 * Appends nodes and initializers to an IR graph with the few attributes MobileNetV2 needs, in the form the
 * target opset requires (Clip bounds and Dropout ratio as inputs where the opset has them).
 */
import { DType, type Attribute, type Graph, type Node, type Tensor } from '../../onnx/ir.js';
import { makeTensor } from '../../onnx/tensor.js';

export class GraphBuilder {
  readonly graph: Graph = { name: 'main', nodes: [], inputs: [], outputs: [], valueInfo: [], initializers: [] };
  private readonly constants = new Map<string, string>();

  constructor(readonly opset: number) {}

  initializer(name: string, dims: readonly number[], values: Float32Array): string {
    this.graph.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  node(opType: string, name: string, inputs: string[], attributes: Attribute[] = []): string {
    const output = `${name}.out`;
    const node: Node = { name, opType, domain: '', inputs, outputs: [output], attributes };
    this.graph.nodes.push(node);
    return output;
  }

  /** A scalar float shared by every node that needs it, as a Constant node (not an initializer, so the
   * initializers stay exactly torchvision's state_dict). */
  scalar(value: number): string {
    const key = String(value);
    const known = this.constants.get(key);
    if (known) return known;
    const name = `const_${key.replace('.', '_')}`;
    const tensor = floatTensor(`${name}.value`, [], Float32Array.of(value));
    this.graph.nodes.push({
      name,
      opType: 'Constant',
      domain: '',
      inputs: [],
      outputs: [name],
      attributes: [{ name: 'value', value: { kind: 'tensor', value: tensor } }],
    });
    this.constants.set(key, name);
    return name;
  }

  relu6(name: string, x: string): string {
    return this.opset >= 11
      ? this.node('Clip', name, [x, this.scalar(0), this.scalar(6)])
      : this.node('Clip', name, [x], [f('min', 0), f('max', 6)]);
  }

  dropout(name: string, x: string, ratio: number): string {
    return this.opset >= 12
      ? this.node('Dropout', name, [x, this.scalar(ratio)])
      : this.node('Dropout', name, [x], [f('ratio', ratio)]);
  }
}

export const i = (name: string, value: number): Attribute => ({ name, value: { kind: 'int', value } });
export const ints = (name: string, value: number[]): Attribute => ({ name, value: { kind: 'ints', value } });
export const f = (name: string, value: number): Attribute => ({ name, value: { kind: 'float', value } });

const floatTensor = (name: string, dims: readonly number[], values: Float32Array): Tensor =>
  makeTensor(name, DType.FLOAT, dims, values);
