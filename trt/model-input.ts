/**
 * The graph inputs trtexec's shape flags name, for any model. Every dimension is resolved by onnx/inputs
 * (model.dims, model.inputs.X.shape, the batch dimension); an input whose dimensions are all fixed in the
 * graph itself takes no shape flag (giving one to a static input fails the build), one with any symbolic
 * dimension takes min/opt/max shapes with the batch from trt.batch and the others at their resolved values.
 * This is read from the ONNX, never assumed from the config that asked for it: omitting shapes for a
 * dynamic input silently builds for one shape.
 */
import { feedInputs, resolveInputs, type InputsConfig } from '../onnx/inputs/index.js';
import type { DType, Model } from '../onnx/ir.js';
import { readModelFile } from '../onnx/serde.js';
import { err, ok, type Result } from '../pipeline/result.js';

export interface TrtInput {
  name: string;
  dtype: DType;
  /** Resolved dimensions; `batch` where the batch goes. */
  dims: ReadonlyArray<number | 'batch'>;
  /** The graph leaves a dimension symbolic, so trtexec must be told this input's shapes. */
  shaped: boolean;
}

export interface TrtInputs {
  inputs: TrtInput[];
  /** Some input has the batch dimension: the engine takes a batch profile. */
  batched: boolean;
  /** The batch of a model whose batch cannot vary (the leading dimension of its first input, else 1). */
  fixedBatch?: number;
}

export function trtInputs(model: Model, cfg: InputsConfig, where: string): Result<TrtInputs, string> {
  const spec = resolveInputs(model, cfg);
  if (!spec.ok) return err(`${where}: ${spec.error}`);
  const graph = new Map(feedInputs(model).map((i) => [i.name, i.type?.shape ?? []]));
  const inputs = spec.value.inputs.map((i) => ({
    name: i.name,
    dtype: i.dtype,
    dims: i.dims,
    shaped: (graph.get(i.name) ?? []).some((d) => typeof d !== 'number' || d <= 0),
  }));
  const batched = inputs.some((i) => i.dims.includes('batch'));
  const first = inputs[0]?.dims[0];
  const fixedBatch = batched ? undefined : typeof first === 'number' ? first : 1;
  return ok({ inputs, batched, fixedBatch });
}

export async function readTrtInputs(path: string, cfg: InputsConfig): Promise<Result<TrtInputs, string>> {
  const model = await readModelFile(path);
  if (!model.ok) return model;
  return trtInputs(model.value, cfg, path);
}
