/**
 * `quantize:int8`: post-training static quantization of the optimized model to an int8 Q/DQ model
 * (onnx/quantize), calibrated on real inputs (`quantize.calibration`, else `model.check_data`; seeded noise
 * only for the built-in MobileNetV2, whose weights are random), checked against the float32 model within
 * `quantize.tolerance`, with the most sensitive layers put back in float when needed; declines when the
 * budget cannot hold.
 */
import type { InputsConfig } from '../../onnx/inputs/index.js';
import { ok, type Result } from '../../pipeline/result.js';
import { declareStage, defineStage, lazyRun, type ContextOf, type FileGroup } from '../../pipeline/stage.js';
import { checkFiles, withInputs, type CheckFiles } from '../../source/check-source.js';
import { sourceSection } from '../../source/config.js';
import { latestModel } from '../../source/model-ref.js';
import { calibrationFiles } from './calibration.js';
import { quantizeConfig, type QuantizeConfig } from './config.js';

type Root = Readonly<Record<string, unknown>>;

/** The section without the calibration folder's path (its files' content is keyed instead), plus the source. */
export type StageConfig = Omit<QuantizeConfig, 'calibration'> & {
  inputs: InputsConfig;
  /** The built-in MobileNetV2 (random weights): the one model calibrated on seeded noise. */
  builtin: boolean;
};

function config(root: Root): StageConfig {
  const { calibration: _path, ...rest } = withInputs(quantizeConfig)(root);
  return { ...rest, builtin: sourceSection(root).path === undefined };
}

/** The check data, and the calibration folder's sets (none without one). */
async function files(root: Root): Promise<Result<CheckFiles & { calibration: FileGroup }, string>> {
  const check = await checkFiles(root);
  if (!check.ok) return check;
  const dir = quantizeConfig(root).calibration;
  if (dir === undefined) return ok({ ...check.value, calibration: {} });
  const calibration = await calibrationFiles(dir, quantizeConfig(root).samples);
  return calibration.ok ? ok({ ...check.value, calibration: calibration.value }) : calibration;
}

const declared = declareStage({
  name: 'quantize:int8',
  version: 1,
  description: 'int8 Q/DQ model: per-channel weights, calibrated activations, accuracy-checked',
  config,
  files,
  inputs: { model: latestModel },
  outputs: { model: 'model.int8.onnx', report: 'quantize.json' },
  tags: { precision: 'int8' },
});

/** quantize:int8's `ctx`: the latest model, the check data, the calibration sets. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
