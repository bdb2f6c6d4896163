/** The TensorRT engines of engine:trt:fp32|fp16, timed and run once on the reference inputs through trtexec. */
import { benchmarkTrtEngine, runTrtEngineOnce, type TrtRunRequest } from './trt-runner.js';
import type { TrtConfig } from '../../trt/config.js';
import { readTrtInputs } from '../../trt/model-input.js';
import { probeTrtexec } from '../../trt/probe.js';
import type { BenchConfig } from './config.js';
import type { BenchInputs } from './feeds.js';
import type { BenchRequest, EngineGroup, Measured } from './run-bench.js';

type Precision = 'fp32' | 'fp16';

export async function measureTrt(
  r: BenchRequest,
  inputs: BenchInputs,
  batches: number[],
  precisions: BenchConfig['precisions'],
): Promise<EngineGroup> {
  const group: EngineGroup = { measured: [], skipped: [] };
  const skip = (precision: Precision, reason: string) => group.skipped.push({ engine: 'trt', precision, reason });
  const engines: [Precision, string | undefined][] = [
    ['fp32', r.artifacts.trtFp32],
    ['fp16', r.artifacts.trtFp16],
  ];
  const wanted = engines.filter(([p]) => precisions.includes(p));
  for (const [precision, path] of wanted) {
    const why = 'no trtexec or no GPU here; see its skip reason';
    if (!path) skip(precision, `engine:trt:${precision} produced no engine (${why})`);
  }
  const present = wanted.filter((e): e is [Precision, string] => e[1] !== undefined);
  if (present.length === 0) return group;
  const tool = await probeTrtexec({ trtexec: r.trt.trtexec, docker: r.trt.docker }, r.exec);
  const model = await readTrtInputs(r.artifacts.model, r.inputs ?? {});
  if (!tool.ok || !model.ok) {
    for (const [precision] of present) skip(precision, !tool.ok ? tool.error.reason : model.ok ? '' : model.error);
    return group;
  }
  for (const [precision, enginePath] of present) {
    for (const batch of batches) {
      const common = {
        tool: tool.value,
        enginePath,
        inputs: model.value,
        batch,
        workDir: r.workDir,
        exec: r.exec,
        ...(r.signal ? { signal: r.signal } : {}),
      };
      r.log.info(`trt ${precision} batch ${batch}: trtexec timing the engine…`);
      const one = await measureOne(common, precision, r.trt.bench, inputs);
      if (typeof one === 'string') skip(precision, `batch ${batch}: ${one}`);
      else group.measured.push(one);
    }
  }
  return group;
}

/** One engine at one batch: timed, then run once on the benchmark's feeds for the check; or why not. */
async function measureOne(
  common: TrtRunRequest,
  precision: Precision,
  settings: TrtConfig['bench'],
  inputs: BenchInputs,
): Promise<Measured | string> {
  const bench = await benchmarkTrtEngine({ ...common, precision, settings });
  if (!bench.ok) return bench.error.message;
  const feeds = inputs.feeds(common.batch);
  if (!feeds.ok) return feeds.error;
  const outputs = await runTrtEngineOnce({ ...common, feeds: feeds.value });
  const first = outputs.ok ? outputs.value[0] : undefined;
  if (!first) return `no outputs to check: ${outputs.ok ? 'trtexec exported none' : outputs.error.message}`;
  return { measurement: bench.value.measurement, output: Float32Array.from(first.values), dims: first.dims };
}
