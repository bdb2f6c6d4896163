/**
 * Post-training static INT8 quantization on the IR (docs/quantize.md):
 *   upgradeOpset(model)                       opset ≥ 13, where per-channel DequantizeLinear exists
 *   calibrate(model, tensors, samples, m)     activation ranges from real inputs (min-max or percentile)
 *   quantizeModel(model, ranges, options)     the Q/DQ model and what was quantized
 */
import { DType, type Model, type Tensor } from '../ir.js';
import { inferShapes } from '../infer/index.js';
import { tensorValues } from '../tensor.js';
import type { Result } from '../../pipeline/result.js';
import type { ActivationType, Range } from './params.js';
import { writePlacement, type Written } from './qdq.js';
import { nodeKey, selectPlacement, type Placement } from './select.js';

export { divisionsToProducts } from './prepare.js';
export { upgradeOpset, TARGET_OPSET, type Upgrade } from './upgrade.js';
export { restoreUntil, type Fallback, type FallbackStep, type Measure } from './fallback.js';
export { calibrate, type Method, type Sample } from './calibrate.js';
export { activationParams, type ActivationType, type Range } from './params.js';
export { nodeKey, type Placement } from './select.js';
export type { QdqStats, Written } from './qdq.js';
export { shortlist } from './sensitivity.js';

/** The choices a placement follows. */
export interface QuantizeOptions {
  /** The activations' integer type (uint8 for onnxruntime, int8 for TensorRT). */
  activations: ActivationType;
  /** Node keys (nodeKey) that stay float, whatever the rules would quantize. */
  keepFloat?: ReadonlySet<string>;
}

const scalar = (t: Tensor): number => {
  const v = tensorValues(t);
  return v.ok && v.value.length > 0 ? Number(v.value[0]) : Number.NaN;
};

/** The placement on `model` (which nodes become int8, which tensors get Q/DQ). */
export function placement(model: Model, options: QuantizeOptions): Placement {
  return selectPlacement(model, inferShapes(model), {
    activations: options.activations,
    keepFloat: options.keepFloat ?? new Set(),
    scalar,
  });
}

/** Every float tensor of the main graph that is not a constant: what calibration measures. */
export function activationTensors(model: Model): string[] {
  const types = inferShapes(model);
  const consts = new Set(model.graph.initializers.map((t) => t.name));
  const names = new Set<string>();
  for (const i of model.graph.inputs) if (!consts.has(i.name) && i.type?.dtype === DType.FLOAT) names.add(i.name);
  for (const n of model.graph.nodes)
    for (const o of n.outputs) if (o && n.opType !== 'Constant' && types.get(o)?.dtype === DType.FLOAT) names.add(o);
  return [...names];
}

/** The quantized nodes' keys, in graph order: the candidates of the accuracy fallback. */
export function quantizedKeys(model: Model, p: Placement): string[] {
  return model.graph.nodes.map((n, i) => nodeKey(n, i)).filter((k) => p.nodes.has(k));
}

export function quantizeModel(
  model: Model,
  ranges: ReadonlyMap<string, Range>,
  options: QuantizeOptions,
): Result<Written & { placement: Placement }, string> {
  const p = placement(model, options);
  const written = writePlacement(model, p, ranges, options.activations);
  return written.ok ? { ok: true, value: { ...written.value, placement: p } } : written;
}
