/**
 * The graph input that trtexec's shape flags name. Whether the batch is dynamic is read from the ONNX
 * itself, not from the config that asked for it, because giving shapes to a static graph fails the build
 * and omitting them for a dynamic one silently builds for batch 1.
 */
import type { Dim } from '../onnx/ir.js';
import { readModelFile } from '../onnx/serde.js';
import { err, ok, type Result } from '../pipeline/result.js';

export interface ModelInput {
  name: string;
  /** The batch size a static graph fixes; undefined when the batch dimension is symbolic or unknown. */
  batch?: number;
  dynamicBatch: boolean;
  /** Every dimension after the batch; all fixed. */
  rest: number[];
}

export function inputFromDims(name: string, dims: readonly Dim[], where: string): Result<ModelInput, string> {
  const [batch, ...rest] = dims;
  if (dims.length === 0) return err(`${where}: input ${name} is a scalar; an engine needs a batched tensor input`);
  const fixedRest = rest.filter((d): d is number => typeof d === 'number' && d > 0);
  if (fixedRest.length !== rest.length) {
    return err(`${where}: input ${name} has shape [${dims.map((d) => d ?? '?').join(', ')}]; only the batch (first) dimension may be dynamic for a TensorRT build`);
  }
  return typeof batch === 'number' && batch > 0
    ? ok({ name, batch, dynamicBatch: false, rest: fixedRest })
    : ok({ name, dynamicBatch: true, rest: fixedRest });
}

/** The one graph input that is not an initializer (older exporters list initializers as inputs too). */
export async function readModelInput(path: string): Promise<Result<ModelInput, string>> {
  const model = await readModelFile(path);
  if (!model.ok) return model;
  const { graph } = model.value;
  const initializers = new Set(graph.initializers.map((t) => t.name));
  const inputs = graph.inputs.filter((i) => !initializers.has(i.name));
  if (inputs.length !== 1) {
    return err(`${path}: the graph has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); the TensorRT stages build single-input models`);
  }
  const input = inputs[0]!;
  if (!input.type?.shape) return err(`${path}: input ${input.name} has no tensor shape`);
  return inputFromDims(input.name, input.type.shape, path);
}
