import { copyFile } from 'node:fs/promises';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { Context } from './index.js';

/**
 * The file as given, byte for byte, with its external data beside it under the locations it names: the
 * preflight has already decoded it, checked those locations and its inputs.
 */
export async function run(ctx: Context): Promise<Result<void, StageFailure>> {
  const path = ctx.inputs.model;
  if (!path) throw new Error('Internal error: import ran without its model file');
  await copyFile(path, ctx.out('model'));
  const locations = Object.keys(ctx.inputs.external);
  for (const [location, file] of Object.entries(ctx.inputs.external)) {
    if (!ctx.companion) throw new Error('Internal error: the runner gives import no companion files');
    await copyFile(file, ctx.companion('model', location));
  }
  ctx.log.info('imported', { file: path, ...(locations.length ? { externalData: locations } : {}) });
  return ok(undefined);
}
