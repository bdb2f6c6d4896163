/**
 * The correctness reference every engine is judged against: the model as the import or build stage gave it,
 * before any pass of ours, on onnxruntime's CPU provider with graph optimization `disabled` and one thread
 * (intra-op and inter-op), run once per batch size on the benchmark's inputs. It is none of the engines
 * measured: ORT FP32 runs the optimized file at its configured level and threads, so what our passes and
 * onnxruntime's fusions change shows in its error instead of being the yardstick. One thread fixes the
 * summation order, so the reference is the same on every run of a machine.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { openSession, ortError, ortFeeds, ortVersion, type FloatTensor } from '../../onnx/ort.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { BenchInputs } from '../../measure/feeds.js';
import { firstFloat } from '../../ort/runner.js';
import type { ReferenceInfo } from '../../measure/result.js';

const SETTINGS = { graphOptimizationLevel: 'disabled', intraOpThreads: 1, interOpThreads: 1 } as const;

export interface Reference {
  info: ReferenceInfo;
  /** The reference output per batch size: the first float32 output, as every engine hands back its first. */
  outputs: Map<number, FloatTensor>;
}

/** The reference outputs of `source` (the unoptimized model) at each batch size, one session for all. */
export async function computeReference(
  source: string,
  inputs: BenchInputs,
  batches: readonly number[],
): Promise<Result<Reference, string>> {
  const name = basename(source);
  let session;
  try {
    session = await openSession(source, SETTINGS);
  } catch (e) {
    return err(`onnxruntime-node cannot load ${name}: ${ortError(e)}`);
  }
  const outputs = new Map<number, FloatTensor>();
  try {
    for (const b of batches) {
      const feeds = inputs.feeds(b);
      if (!feeds.ok) return feeds;
      const output = firstFloat(session, await session.run(ortFeeds(feeds.value)));
      if (!output) return err(`${name} has no float32 output to judge the engines by`);
      outputs.set(b, output);
    }
  } catch (e) {
    return err(`onnxruntime-node failed running ${name}: ${ortError(e)}`);
  } finally {
    await session.release();
  }
  const info: ReferenceInfo = {
    model: name,
    sha256: createHash('sha256')
      .update(await readFile(source))
      .digest('hex'),
    runtime: `onnxruntime-node ${ortVersion()} (CPU)`,
    graphOptimizationLevel: SETTINGS.graphOptimizationLevel,
    intraOpThreads: SETTINGS.intraOpThreads,
    interOpThreads: SETTINGS.interOpThreads,
  };
  return ok({ info, outputs });
}
