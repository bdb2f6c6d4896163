import { copyFile } from 'node:fs/promises';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import { EXTERNAL } from './files.js';

/**
 * The file as given, byte for byte, with its external data beside it under the locations it names: the
 * preflight has already decoded it, checked those locations and its inputs.
 */
export async function run(ctx: StageContext<null>): Promise<Result<void, StageFailure>> {
  const path = ctx.inputs['model'];
  if (!path) throw new Error('Internal error: import ran without its model file');
  await copyFile(path, ctx.out('model'));
  const data = Object.entries(ctx.inputs).filter(
    (e): e is [string, string] => e[0].startsWith(EXTERNAL) && e[1] !== undefined,
  );
  for (const [label, file] of data) {
    if (!ctx.companion) throw new Error('Internal error: the runner gives import no companion files');
    await copyFile(file, ctx.companion('model', label.slice(EXTERNAL.length)));
  }
  const locations = data.map(([label]) => label.slice(EXTERNAL.length));
  ctx.log.info('imported', { file: path, ...(locations.length ? { externalData: locations } : {}) });
  return ok(undefined);
}
