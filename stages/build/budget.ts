/**
 * Memory budgets for the model a config asks for, checked before anything is allocated: MobileNetV2's weights
 * grow with `num_classes` and `width_mult`, its activations with the batch and `input_size`. A config beyond
 * `limits.weights_mb` or `limits.tensor_mb` is refused naming the field and the limit, which can be raised on
 * purpose in the config (the `limits` section is read by no stage, so it enters no cache key).
 */
import { Type } from '@sinclair/typebox';
import { configSection, Section } from '../../pipeline/config/section.js';
import { INVERTED_RESIDUALS, makeDivisible } from './architecture.js';
import { modelConfig } from './config.js';

export const limitsSchema = Section({
  weights_mb: Type.Number({ exclusiveMinimum: 0, default: 512, description: 'Largest weights to build, MB.' }),
  tensor_mb: Type.Number({ exclusiveMinimum: 0, default: 1024, description: 'Largest activation, MB.' }),
});

export interface ModelSize {
  weights: number;
  activation: number;
}

/** Weight bytes and the largest activation of one image, in float32. */
export function mobileNetSize(widthMult: number, inputSize: number, numClasses: number): ModelSize {
  let params = 0;
  let channels = makeDivisible(32 * widthMult);
  let side = Math.ceil(inputSize / 2);
  params += 27 * channels + 4 * channels;
  let activation = Math.max(3 * inputSize * inputSize, channels * side * side);
  for (const [t, c, n, s] of INVERTED_RESIDUALS) {
    const out = makeDivisible(c * widthMult);
    for (let r = 0; r < n; r++) {
      const hidden = channels * t;
      const stride = r === 0 ? s : 1;
      params += (t === 1 ? 0 : channels * hidden + 4 * hidden) + 13 * hidden + hidden * out + 4 * out;
      activation = Math.max(activation, hidden * side * side);
      side = Math.ceil(side / stride);
      channels = out;
    }
  }
  const last = makeDivisible(1280 * Math.max(1, widthMult));
  params += channels * last + 4 * last + last * numClasses + numClasses;
  return { weights: 4 * params, activation: 4 * activation };
}

type Root = Readonly<Record<string, unknown>>;
const section = (root: Root, name: string) => (root[name] ?? {}) as Record<string, unknown>;
const mb = (bytes: number) => `${(bytes / 1e6).toFixed(bytes < 1e7 ? 1 : 0)} MB`;

/** The first field whose value would go over a budget, with what it would take. */
export function budgetProblem(root: Root): { path: string[]; message: string } | undefined {
  const model = section(root, 'model');
  // A model the user brings has its own sizes; its inputs are bounded where they are made (onnx/inputs).
  if (typeof model['path'] === 'string') return undefined;
  const limits = configSection(root, 'limits', limitsSchema);
  const built = modelConfig(root);
  const size = mobileNetSize(built.width_mult, built.input_size, built.num_classes);
  if (size.weights > limits.weights_mb * 1e6) {
    const field = built.num_classes > 10_000 ? 'num_classes' : 'width_mult';
    return {
      path: ['model', field],
      message:
        `model.${field} ${String(built[field])} makes ${mb(size.weights)} of weights, ` +
        `over limits.weights_mb ${limits.weights_mb}; ` +
        'lower it, or raise limits.weights_mb on purpose',
    };
  }
  const bench = section(root, 'bench');
  const batches: Array<[string[], number]> = [];
  if (!built.dynamic_batch) batches.push([['model', 'batch_size'], built.batch_size]);
  const benchBatches = (bench['batch_sizes'] as number[] | undefined) ?? [];
  for (const [i, b] of benchBatches.entries()) batches.push([['bench', 'batch_sizes', String(i)], b]);
  const trtBatch = section(section(root, 'trt'), 'batch')['max'];
  if (typeof trtBatch === 'number') batches.push([['trt', 'batch', 'max'], trtBatch]);
  for (const [path, batch] of batches) {
    if (batch * size.activation > limits.tensor_mb * 1e6) {
      return {
        path,
        message:
          `${path.join('.')} ${batch} makes an activation of ${mb(batch * size.activation)}, ` +
          `over limits.tensor_mb ${limits.tensor_mb}; ` +
          'lower it, or raise limits.tensor_mb on purpose',
      };
    }
  }
  return undefined;
}
