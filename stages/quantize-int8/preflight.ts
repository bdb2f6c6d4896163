/**
 * Before any stage runs: `quantize.calibration` resolved against the config file's folder, and the folder
 * checked to hold calibration sets, so that a wrong path is one line (exit 2) rather than a failed stage.
 */
import { dirname, resolve } from 'node:path';
import type { RunConfig } from '../../pipeline/config/config.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { calibrationFiles } from './calibration.js';
import { quantizeConfig } from './config.js';

export async function quantizePreflight(config: RunConfig, configFile: string): Promise<Result<RunConfig, string>> {
  const q = quantizeConfig(config);
  if (q.calibration === undefined) return ok(config);
  const calibration = resolve(dirname(configFile), q.calibration);
  const files = await calibrationFiles(calibration, q.samples);
  if (!files.ok) return err(`${configFile}: ${files.error}`);
  return ok({ ...config, quantize: { ...(config['quantize'] as object), calibration } });
}
