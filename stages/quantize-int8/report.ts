/** quantize.json: what was quantized, how it was calibrated, what the check measured, what was kept float. */
import type { Fallback, QdqStats } from '../../onnx/quantize/index.js';
import type { Checked } from './check.js';
import type { StageConfig } from './index.js';
import type { Calibrated } from './run.js';

export function quantizeReport(
  config: StageConfig,
  c: Calibrated,
  stats: QdqStats,
  fallback: Fallback,
  final: Checked,
) {
  const noise = c.inputs.source === 'seeded noise';
  return {
    weight_format: 'int8, symmetric, per output channel (Conv, ConvTranspose, Gemm, MatMul with a constant weight)',
    bias_format: 'int32 at input scale × weight scale',
    activation_format:
      config.activations === 'uint8' ? 'uint8, per tensor, asymmetric' : 'int8, per tensor, symmetric (zero point 0)',
    calibration: {
      source: c.inputs.source,
      method: config.method,
      ...(config.method === 'percentile' ? { percentile: config.percentile } : {}),
      samples: c.inputs.calibration.length,
      ...(noise
        ? { note: "the built-in MobileNetV2's weights are random: its accuracy after quantization proves nothing" }
        : {}),
    },
    opset: { from: c.fromOpset, to: Math.max(13, c.fromOpset) },
    ...stats,
    check: {
      inputs: c.inputs.checkSource,
      tolerance_rel_l2: config.tolerance,
      worst_rel_l2: final.worstRelL2,
      outputs: final.first.outputs,
      runtime: 'onnxruntime-node, graph optimization all (integer kernels), one thread',
    },
    kept_float: fallback.steps.map((s) => ({ node: s.node, rel_l2_after: s.error })),
    keep_float_configured: config.keep_float,
    sensitivity_evaluations: fallback.evaluations,
  };
}
