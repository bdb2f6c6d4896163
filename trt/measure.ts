/** The TensorRT engines of engine:trt:fp32|fp16|int8, timed and run once on the reference inputs through trtexec. */
import type { Cause } from '../pipeline/cause.js';
import { err, ok } from '../pipeline/result.js';
import type { ToolFound } from '../pipeline/stage.js';
import type { TrtConfig } from './config.js';
import { readTrtInputs, type TrtInputs } from './model-input.js';
import { probeGpu } from '../measure/gpu.js';
import { probeTrtexec } from './probe.js';
import { trtBuild } from './engine-stage.js';
import type { BenchInputs } from '../measure/feeds.js';
import type { EngineGroup, EngineRunner, Measured, Skip } from '../measure/kit.js';
import type { SkipKind } from '../measure/result.js';
import { benchmarkTrtEngine, runTrtEngineOnce, type TrtRunRequest } from './runner.js';
import type { Precision } from '../onnx/precision.js';

/** What a trtexec failure means for the benchmark. */
function skipCauseOf(cause: Cause): SkipKind {
  if (cause === 'trt-out-of-memory') return 'out-of-memory';
  if (cause === 'trt-no-gpu') return 'no-gpu';
  if (cause === 'trt-unsupported-operator') return 'unsupported-operator';
  // trt/runner.ts fails an engine built for a fixed batch asked for another as bad input.
  if (cause === 'bad-input') return 'fixed-batch';
  return 'engine-failed';
}

/** One engine at one batch: timed, then run once on the benchmark's feeds for the check; or why not. */
async function measureOne(
  common: TrtRunRequest,
  precision: Precision,
  settings: TrtConfig['bench'],
  inputs: BenchInputs,
): Promise<Measured | Skip> {
  const bench = await benchmarkTrtEngine({ ...common, precision, settings });
  if (!bench.ok) return { cause: skipCauseOf(bench.error.cause), message: bench.error.message };
  const feeds = inputs.feeds(common.batch);
  if (!feeds.ok) return { cause: 'no-inputs', message: feeds.error };
  const outputs = await runTrtEngineOnce({ ...common, feeds: feeds.value });
  if (!outputs.ok)
    return { cause: skipCauseOf(outputs.error.cause), message: `no outputs to check: ${outputs.error.message}` };
  const first = outputs.value[0];
  if (!first) return { cause: 'engine-failed', message: 'no outputs to check: trtexec exported none' };
  return { measurement: bench.value.measurement, output: Float32Array.from(first.values), dims: first.dims };
}

interface Trtexec {
  tool: ToolFound;
  inputs: TrtInputs;
}

/**
 * trtexec on this machine's GPU. Without one, or without trtexec, the engine stages made no engine: the probe
 * they ran says why, so it is asked again here rather than guessed.
 */
export const trtRunner: EngineRunner<Trtexec> = {
  engines: ['trt'],
  artifact(r, precision) {
    const path = r.artifacts.built?.[trtBuild.artifact]?.[precision];
    if (path) return path;
    const made = `engine:trt:${precision} produced no engine`;
    return { cause: 'no-model', message: `${made} although trtexec and a GPU are here; the manifest says why` };
  },
  async available(r) {
    const gpu = await probeGpu(r.exec);
    if (!gpu.ok) return err({ cause: 'no-gpu', message: gpu.error.message });
    const tool = await probeTrtexec({ trtexec: r.trt.trtexec, docker: r.trt.docker }, r.exec);
    if (!tool.ok) return err({ cause: 'tool-unavailable', message: tool.error.message });
    const inputs = await readTrtInputs(r.artifacts.model, r.inputs ?? {});
    if (!inputs.ok) return err({ cause: 'unsupported-model', message: inputs.error });
    return ok({ tool: tool.value, inputs: inputs.value });
  },
  async measure(r, ready, work) {
    const group: EngineGroup = { measured: [], skipped: [] };
    for (const { precision, artifact } of work) {
      for (const batch of r.batches) {
        const common = {
          ...ready,
          enginePath: artifact,
          batch,
          workDir: r.workDir,
          exec: r.exec,
          signal: r.signal,
        };
        r.log.info(`trt ${precision} batch ${batch}: trtexec timing the engine…`);
        const one = await measureOne(common, precision, r.trt.bench, r.feeds);
        if ('cause' in one)
          group.skipped.push({ engine: 'trt', precision, kind: one.cause, reason: `batch ${batch}: ${one.message}` });
        else group.measured.push(one);
      }
    }
    return group;
  },
};
