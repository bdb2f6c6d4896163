/**
 * The benchmark's inputs: per batch size, one tensor for every graph input, the same bytes for every engine.
 * Also how the report names them (`input float32 [N, 3, 224, 224]`).
 */
import { basename } from 'node:path';
import type { AnyTensor } from '../../onnx/ort.js';
import { normalFloats } from '../../onnx/random.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { readModelInput } from '../engine-trt/model-input.js';

export interface InputSpec {
  name: string;
  dtype: 'float32' | 'float16' | 'int64' | 'int32' | 'bool';
  /** The shape fed at batch N: `N` where the batch goes, numbers elsewhere. */
  shape: (number | 'N')[];
}

export interface BenchInputs {
  specs: InputSpec[];
  /** A fixed batch the graph allows, when its batch dimension is not symbolic. */
  fixedBatch?: number;
  feeds(batch: number): Record<string, AnyTensor>;
}

export const dimsAt = (spec: InputSpec, batch: number): number[] => spec.shape.map((d) => (d === 'N' ? batch : d));

/** The model's inputs, each standard-normal noise from the seed. */
export async function benchInputs(model: string, seed: number): Promise<Result<BenchInputs, string>> {
  const input = await readModelInput(model);
  if (!input.ok) return err(input.error);
  const { name, dynamicBatch, batch, rest } = input.value;
  const spec: InputSpec = { name, dtype: 'float32', shape: [dynamicBatch ? 'N' : batch!, ...rest] };
  return ok({
    specs: [spec],
    ...(dynamicBatch ? {} : { fixedBatch: batch! }),
    feeds(b) {
      const dims = dimsAt(spec, b);
      return { [name]: { type: 'float32', dims, data: normalFloats(dims.reduce((x, y) => x * y, 1), seed) } };
    },
  });
}

export const describeInputs = (specs: readonly InputSpec[]): string =>
  specs.map((s) => `${s.name} ${s.dtype} [${s.shape.join(', ')}]`).join(', ');

export const modelLabel = (path: string): string => basename(path);
