/**
 * What the stage runs the model on. Calibration: the calibration folder's sets, else the check data, else —
 * for the built-in MobileNetV2 only — seeded standard normals (its weights are random, so real images would
 * prove no more). The accuracy check: the check data where given (inputs calibration did not see, unless the
 * check data is all there is), else the calibration sets themselves, else seeded inputs.
 */
import type { Sample } from '../../onnx/quantize/index.js';
import type { Model } from '../../onnx/ir.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { checkSource } from '../../source/check-source.js';
import { seededFeeds } from '../../onnx/numeric-check.js';
import { groupSets, readSamples } from './calibration.js';
import type { Context } from './index.js';

export type CalibrationSource = 'calibration folder' | 'check data' | 'seeded noise';

export interface Inputs {
  calibration: Sample[];
  source: CalibrationSource;
  /** What the accuracy check compares on. */
  check: Sample[];
  checkSource: string;
}

/** Seeds of the noise samples: far from the check's own seeds, so calibration and check never share an input. */
const NOISE_SEED = 7919;
/** The most calibration sets the check reuses when there is no check data (each costs a run per evaluation). */
const CHECK_SETS = 4;

/** Why there are no inputs: the user's calibration data is at fault (exit 2), or there is none to use (declined). */
export interface Problem {
  user: boolean;
  message: string;
}

const decline = (message: string): Result<never, Problem> => err({ user: false, message });

export async function stageInputs(ctx: Context, model: Model): Promise<Result<Inputs, Problem>> {
  const c = ctx.config;
  const source = await checkSource(ctx, model);
  if (!source.ok) return decline(source.error);
  const sets = groupSets(ctx.inputs.calibration);
  const checkData = source.value.checkData !== undefined;
  const checkFeeds = () => seededFeeds(model, c.check.seed, c.check.batch, source.value);
  if (sets.size > 0) {
    const read = await readSamples(sets, model, c.inputs, c.check.seed);
    if (!read.ok) return err({ user: true, message: read.error });
    const check = checkData ? checkFeeds() : ok(read.value.slice(0, CHECK_SETS));
    if (!check.ok) return decline(check.error);
    const checkSource = checkData
      ? 'check data'
      : `the first ${Math.min(CHECK_SETS, read.value.length)} calibration sets`;
    return ok({ calibration: read.value, source: 'calibration folder', check: [check.value].flat(), checkSource });
  }
  if (checkData) {
    const feeds = checkFeeds();
    if (!feeds.ok) return decline(feeds.error);
    return ok({ calibration: [feeds.value], source: 'check data', check: [feeds.value], checkSource: 'check data' });
  }
  if (!c.builtin)
    return decline(
      'no calibration data: set quantize.calibration to a folder of test_data_set_N folders (or model.check_data); ' +
        'calibrating a real model on noise would set its ranges from inputs it never sees',
    );
  const noise: Sample[] = [];
  for (let k = 0; k < c.samples; k++) {
    const feeds = seededFeeds(model, NOISE_SEED + k, 1, source.value);
    if (!feeds.ok) return decline(feeds.error);
    noise.push(feeds.value);
  }
  const check = checkFeeds();
  if (!check.ok) return decline(check.error);
  return ok({ calibration: noise, source: 'seeded noise', check: [check.value], checkSource: 'seeded noise' });
}
