/** The TensorRT engines of engine:trt:fp32|fp16, timed and run once on the reference inputs through trtexec. */
import type { Result } from '../../pipeline/result.js';
import { benchmarkTrtEngine, runTrtEngineOnce } from '../engine-trt/benchmark.js';
import { readTrtInputs } from '../engine-trt/model-input.js';
import { probeTrtexec } from '../engine-trt/probe.js';
import type { BenchConfig } from './config.js';
import type { BenchInputs } from './feeds.js';
import type { BenchRequest, EngineGroup } from './run-bench.js';

type Precision = 'fp32' | 'fp16';

export async function measureTrt(r: BenchRequest, inputs: BenchInputs, batches: number[], precisions: BenchConfig['precisions']): Promise<EngineGroup> {
  const group: EngineGroup = { measured: [], skipped: [] };
  const engines: [Precision, string | undefined][] = [['fp32', r.artifacts.trtFp32], ['fp16', r.artifacts.trtFp16]];
  const wanted = engines.filter(([p]) => precisions.includes(p));
  for (const [precision, path] of wanted) {
    if (!path) group.skipped.push({ engine: 'trt', precision, reason: `engine:trt:${precision} produced no engine (no trtexec or no GPU here; see that stage's skip reason)` });
  }
  const present = wanted.filter((e): e is [Precision, string] => e[1] !== undefined);
  if (present.length === 0) return group;
  const tool = await probeTrtexec({ trtexec: r.trt.trtexec, docker: r.trt.docker }, r.exec);
  const input = await readTrtInputs(r.artifacts.model, r.inputs ?? {});
  const unusable: Result<unknown, { reason: string }> | undefined = !tool.ok ? tool : !input.ok ? { ok: false, error: { reason: input.error } } : undefined;
  if (unusable && !unusable.ok) {
    for (const [precision] of present) group.skipped.push({ engine: 'trt', precision, reason: unusable.error.reason });
    return group;
  }
  if (!tool.ok || !input.ok) return group;
  for (const [precision, enginePath] of present) {
    for (const batch of batches) {
      const common = { tool: tool.value, enginePath, inputs: input.value, batch, workDir: r.workDir, exec: r.exec, ...(r.signal ? { signal: r.signal } : {}) };
      r.log.info(`trt ${precision} batch ${batch}: trtexec timing the engine…`);
      const bench = await benchmarkTrtEngine({ ...common, precision, settings: r.trt.bench });
      if (!bench.ok) {
        group.skipped.push({ engine: 'trt', precision, reason: `batch ${batch}: ${bench.error.message}` });
        continue;
      }
      const feeds = inputs.feeds(batch);
      if (!feeds.ok) {
        group.skipped.push({ engine: 'trt', precision, reason: `batch ${batch}: ${feeds.error}` });
        continue;
      }
      const outputs = await runTrtEngineOnce({ ...common, feeds: feeds.value });
      const first = outputs.ok ? outputs.value[0] : undefined;
      if (!first) {
        group.skipped.push({ engine: 'trt', precision, reason: `batch ${batch}: no outputs to check: ${outputs.ok ? 'trtexec exported none' : outputs.error.message}` });
        continue;
      }
      group.measured.push({ measurement: bench.value.measurement, output: Float32Array.from(first.values), dims: first.dims });
    }
  }
  return group;
}
