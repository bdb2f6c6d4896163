/**
 * TensorRT's explicit quantization takes signed int8 Q/DQ only. quantize:int8's default activations are uint8
 * (onnxruntime's fastest), so an INT8 engine needs that model made with `quantize.activations: int8`: this
 * finds the QuantizeLinear nodes whose zero point says otherwise, before trtexec is asked.
 */
import { DType, type Model } from '../onnx/ir.js';

/** The outputs of the QuantizeLinear nodes whose zero point is not int8, in graph order. */
export function unsignedQuantized(model: Model): string[] {
  const dtypeOf = new Map(model.graph.initializers.map((t) => [t.name, t.dtype]));
  return model.graph.nodes
    .filter((n) => n.opType === 'QuantizeLinear' && n.domain === '' && n.inputs[2])
    .filter((n) => dtypeOf.get(n.inputs[2]!) !== DType.INT8)
    .map((n) => n.outputs[0]!);
}
