import { copyFile } from 'node:fs/promises';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';

/** The file as given, byte for byte: the preflight has already decoded it and checked its inputs. */
export async function run(ctx: StageContext<null>): Promise<Result<void, StageFailure>> {
  const path = ctx.inputs['model'];
  if (!path) throw new Error('Internal error: import ran without its model file');
  await copyFile(path, ctx.out('model'));
  ctx.log.info('imported', { file: path });
  return ok(undefined);
}
