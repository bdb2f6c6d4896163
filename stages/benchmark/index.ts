/**
 * `benchmark`: measures every engine the earlier stages produced (and PyTorch running the same graph)
 * and writes bench.json. Never cached: a measurement describes the machine now. It declares no tools on
 * purpose: a missing torch or trtexec must skip those engines, not the onnxruntime benchmark with them,
 * so both are probed inside `run` and their absence lands in bench.json's `skipped`.
 *
 * With `--baseline FILE` the run is compared with an earlier bench.json; a slowdown beyond the measured
 * spread fails the stage (exit 1: the CI regression gate). A failed stage's outputs are not kept, so the
 * new measurement is saved beside the stage's persistent files and the failure names it.
 */
import { writeFile } from 'node:fs/promises';
import { err, ok } from '../../pipeline/result.js';
import { defineStage } from '../../pipeline/stage.js';
import { trtConfig, type TrtConfig } from '../engine-trt/config.js';
import { compareWithBaseline, readBenchFile } from './baseline.js';
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
    const bench = result.value;
    for (const s of bench.skipped) ctx.log.warn(`skipped ${s.engine}${s.precision ? ` ${s.precision}` : ''}: ${s.reason}`);
    const baselinePath = ctx.options?.baseline;
    if (typeof baselinePath === 'string') {
      const baseline = await readBenchFile(baselinePath);
      if (!baseline.ok) return err({ message: `benchmark: --baseline: ${baseline.error}` });
      const gate = compareWithBaseline(bench, baseline.value);
      bench.baseline = {
        file: baselinePath, ok: gate.ok, regressions: gate.regressions.map((r) => `${r.key}: ${r.reason ?? ''}`), compared: gate.compared.length, missing: gate.missing,
      };
      if (gate.compared.length === 0) ctx.log.warn(`--baseline ${baselinePath} has no measurement this run repeats; nothing was compared`);
      if (!gate.ok) {
        const kept = ctx.persistent('bench.regressed.json');
        await writeFile(kept, `${JSON.stringify(bench, null, 2)}\n`);
        return err({
          message: `benchmark: ${gate.regressions.length} of ${gate.compared.length} measurements regressed against ${baselinePath}`,
          details: [...bench.baseline.regressions, `this run's bench.json: ${kept}`],
        });
      }
      ctx.log.info(`no regression against ${baselinePath}`, { compared: gate.compared.length, missing: gate.missing.length });
    }
    await writeFile(ctx.out('bench'), `${JSON.stringify(bench, null, 2)}\n`);
    ctx.log.info(`measured ${bench.measurements.length} engine runs`, { flagged: bench.measurements.filter((m) => m.correctness?.ok === false).length });
    return ok(undefined);
  },
});
