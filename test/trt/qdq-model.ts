/**
 * A small Q/DQ model for the TensorRT tests, made here until quantize:int8 (another stage) lands: every Conv
 * and Gemm weight becomes int8 (symmetric, per output channel) behind a DequantizeLinear, and the graph's first
 * input goes through QuantizeLinear/DequantizeLinear at a fixed scale (4/127: the seeded standard-normal feeds
 * stay inside ±4). Not a calibrated quantizer: enough to be an explicitly quantized ONNX that onnxruntime runs
 * and that trtexec must build typed.
 */
import { DType, type Model, type Node, type Tensor } from '../../onnx/ir.js';
import { makeTensor } from '../../onnx/tensor.js';
import { floatValues } from '../../onnx/rewrite/tensors.js';

const dq = (name: string, inputs: string[], output: string, axis?: number): Node => ({
  name,
  opType: 'DequantizeLinear',
  domain: '',
  inputs,
  outputs: [output],
  attributes: axis === undefined ? [] : [{ name: 'axis', value: { kind: 'int', value: axis } }],
});

/** int8 values, per-channel scales and zero points of a weight whose first dimension is the output channel. */
function quantizeWeight(w: Tensor): Tensor[] {
  const values = floatValues(w)!;
  const channels = w.dims[0]!;
  const per = values.length / channels;
  const scales = new Float32Array(channels);
  const q = new Int8Array(values.length);
  for (let c = 0; c < channels; c++) {
    let max = 0;
    for (let k = 0; k < per; k++) max = Math.max(max, Math.abs(values[c * per + k]!));
    scales[c] = max > 0 ? max / 127 : 1;
    for (let k = 0; k < per; k++) q[c * per + k] = Math.round(values[c * per + k]! / scales[c]!);
  }
  return [
    makeTensor(`${w.name}_q`, DType.INT8, w.dims, q),
    makeTensor(`${w.name}_scale`, DType.FLOAT, [channels], scales),
    makeTensor(`${w.name}_zp`, DType.INT8, [channels], new Int8Array(channels)),
  ];
}

export function qdqModel(model: Model): Model {
  const g = model.graph;
  const weights = new Map(g.initializers.map((t) => [t.name, t]));
  const added: Tensor[] = [];
  const front: Node[] = [];
  const nodes = g.nodes.map((n) => {
    const w = weights.get(n.inputs[1] ?? '');
    const transB = n.attributes.find((a) => a.name === 'transB')?.value;
    const outFirst = n.opType === 'Conv' || (n.opType === 'Gemm' && transB?.kind === 'int' && transB.value === 1);
    if (!w || !outFirst || w.dtype !== DType.FLOAT) return n;
    const [q, scale, zp] = quantizeWeight(w);
    added.push(q!, scale!, zp!);
    front.push(dq(`${w.name}_dq`, [q!.name, scale!.name, zp!.name], `${w.name}_dq`, 0));
    weights.delete(w.name);
    return { ...n, inputs: n.inputs.map((i, k) => (k === 1 ? `${w.name}_dq` : i)) };
  });
  const x = g.inputs[0]!.name;
  added.push(makeTensor('x_scale', DType.FLOAT, [], [4 / 127]), makeTensor('x_zp', DType.INT8, [], [0]));
  const quant: Node = {
    name: 'x_q',
    opType: 'QuantizeLinear',
    domain: '',
    inputs: [x, 'x_scale', 'x_zp'],
    outputs: ['x_q'],
    attributes: [],
  };
  const rewired = nodes.map((n) => ({ ...n, inputs: n.inputs.map((i) => (i === x ? 'x_dq' : i)) }));
  return {
    ...model,
    graph: {
      ...g,
      nodes: [quant, dq('x_dq', ['x_q', 'x_scale', 'x_zp'], 'x_dq'), ...front, ...rewired],
      initializers: [...weights.values(), ...added],
      valueInfo: [],
    },
  };
}
