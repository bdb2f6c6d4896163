/**
 * `benchmark`: measures every engine the earlier stages produced (and PyTorch running the same graph)
 * and writes bench.json. Never cached: a measurement describes the machine now. It declares no tools on
 * purpose: a missing torch or trtexec must skip those engines, not the onnxruntime benchmark with them,
 * so both are probed inside `run` and their absence lands in bench.json's `skipped`.
 */
import { writeFile } from 'node:fs/promises';
import { ok } from '../../pipeline/result.js';
import { defineStage } from '../../pipeline/stage.js';
import { trtConfig, type TrtConfig } from '../engine-trt/config.js';
import { benchConfig, type BenchConfig } from './config.js';
import { runBenchmark } from './run-bench.js';

export interface BenchStageConfig {
  bench: BenchConfig;
  /** Where trtexec is and how it times an engine (the `trt` section). */
  trt: TrtConfig;
}

export default defineStage<BenchStageConfig>({
  name: 'benchmark',
  version: 1,
  description: 'latency, throughput and correctness of every engine on the same seeded inputs',
  config: (root) => ({ bench: benchConfig(root), trt: trtConfig(root) }),
  inputs: {
    model: { stage: 'optimize', output: 'model' },
    fp16: { stage: 'convert:fp16', output: 'model', optional: true },
    trtFp32: { stage: 'engine:trt:fp32', output: 'engine', optional: true },
    trtFp16: { stage: 'engine:trt:fp16', output: 'engine', optional: true },
  },
  outputs: { bench: 'bench.json' },
  cache: 'never',
  async run(ctx) {
    const { model, fp16, trtFp32, trtFp16 } = ctx.inputs;
    if (!model) throw new Error('Internal error: benchmark ran without the optimized model');
    const result = await runBenchmark({
      config: ctx.config.bench,
      trt: ctx.config.trt,
      artifacts: { model, ...(fp16 ? { fp16 } : {}), ...(trtFp32 ? { trtFp32 } : {}), ...(trtFp16 ? { trtFp16 } : {}) },
      workDir: ctx.workDir,
      exec: ctx.exec,
      log: ctx.log,
      signal: ctx.signal,
    });
    if (!result.ok) return result;
    for (const s of result.value.skipped) ctx.log.warn(`skipped ${s.engine}${s.precision ? ` ${s.precision}` : ''}: ${s.reason}`);
    await writeFile(ctx.out('bench'), `${JSON.stringify(result.value, null, 2)}\n`);
    ctx.log.info(`measured ${result.value.measurements.length} engine runs`, { flagged: result.value.measurements.filter((m) => m.correctness?.ok === false).length });
    return ok(undefined);
  },
});
