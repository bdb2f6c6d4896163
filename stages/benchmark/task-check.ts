/**
 * The benchmark's task metric per measurement (task.ts): labels.json, when the check data has one, is read and
 * fitted to the reference output at the batch the check data was recorded at before any engine runs, so a
 * labels file that does not fit the model fails the benchmark as the user's error, once.
 */
import { err, ok, type Result } from '../../pipeline/result.js';
import { readLabels, type Labels } from './labels.js';
import type { Reference } from './reference.js';
import type { TaskMetric } from '../../measure/result.js';
import { taskMetric } from './task.js';

export type TaskCheck = (batch: number, output: Float32Array, dims: readonly number[]) => TaskMetric | undefined;

export async function taskCheck(
  reference: Reference,
  labelsFile: string | undefined,
  checkBatch: number | undefined,
  log: { warn(message: string): void },
): Promise<Result<TaskCheck, string>> {
  let labels: Labels | undefined;
  const ref = checkBatch !== undefined ? reference.outputs.get(checkBatch) : undefined;
  if (labelsFile !== undefined && !ref) {
    log.warn(`${labelsFile} is not used: its batch (${checkBatch}) is not among the batch sizes measured`);
  } else if (labelsFile !== undefined && ref) {
    const read = await readLabels(labelsFile);
    if (!read.ok) return read;
    const fit = taskMetric(ref.data, ref.data, ref.dims, read.value);
    if (typeof fit === 'string') return err(`${labelsFile}: ${fit}`);
    labels = read.value;
  }
  return ok((batch, output, dims) => {
    const ref = reference.outputs.get(batch);
    if (!ref) return undefined;
    const task = taskMetric(output, ref.data, dims, batch === checkBatch ? labels : undefined);
    return typeof task === 'string' ? undefined : task;
  });
}
