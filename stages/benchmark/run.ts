import { writeFile } from 'node:fs/promises';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/reason.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import { compareWithBaseline, readBenchFile } from './baseline.js';
import type { BenchStageConfig } from './index.js';
import { checkFiles } from '../../measure/feeds.js';
import type { BenchFile } from '../../measure/result.js';
import { runBenchmark } from './run-bench.js';
import { isPrecision } from '../../onnx/precision.js';

export async function run(ctx: StageContext<BenchStageConfig>): Promise<Result<void, StageFailure>> {
  const { model, source, fp16, trtFp32, trtFp16, compiledFp32, compiledFp16, aotiFp32, aotiFp16 } = ctx.inputs;
  if (!model || !source) throw new Error('Internal error: benchmark ran without its models');
  const result = await runBenchmark({
    config: ctx.config.bench,
    trt: ctx.config.trt,
    artifacts: {
      model,
      source,
      ...(fp16 ? { fp16 } : {}),
      ...(trtFp32 ? { trtFp32 } : {}),
      ...(trtFp16 ? { trtFp16 } : {}),
      ...(compiledFp32 ? { compiledFp32 } : {}),
      ...(compiledFp16 ? { compiledFp16 } : {}),
      ...(aotiFp32 ? { aotiFp32 } : {}),
      ...(aotiFp16 ? { aotiFp16 } : {}),
    },
    workDir: ctx.workDir,
    exec: ctx.exec,
    log: ctx.log,
    inputs: ctx.config.model,
    checkFiles: checkFiles(ctx.inputs),
    only: isPrecision(ctx.options?.['precision']) ? ctx.options['precision'] : undefined,
    signal: ctx.signal,
  });
  if (!result.ok) return result;
  const bench = result.value;
  for (const s of bench.skipped)
    ctx.log.warn(`skipped ${s.engine}${s.precision ? ` ${s.precision}` : ''}: ${s.reason}`);
  const baselinePath = ctx.options?.['baseline'];
  if (typeof baselinePath === 'string') {
    const gated = await gate(ctx, bench, baselinePath);
    if (!gated.ok) return gated;
  }
  await writeFile(ctx.out('bench'), `${JSON.stringify(bench, null, 2)}\n`);
  ctx.log.info(`measured ${bench.measurements.length} engine runs`, {
    flagged: bench.measurements.filter((m) => m.correctness?.ok === false).length,
  });
  return ok(undefined);
}

/**
 * `--baseline FILE`: the run compared with an earlier bench.json, the verdict recorded in `bench`. A regression
 * fails the stage; its outputs are then not kept, so this run's bench.json is saved beside the stage's
 * persistent files and the failure names it.
 */
async function gate(
  ctx: StageContext<BenchStageConfig>,
  bench: BenchFile,
  baselinePath: string,
): Promise<Result<void, StageFailure>> {
  const baseline = await readBenchFile(baselinePath);
  if (!baseline.ok) return fail('bad-input', `--baseline: ${baseline.error}`);
  const verdict = compareWithBaseline(bench, baseline.value);
  bench.baseline = {
    file: baselinePath,
    ok: verdict.ok,
    regressions: verdict.regressions.map((r) => `${r.key}: ${r.reason ?? ''}`),
    compared: verdict.compared.length,
    missing: verdict.missing,
  };
  if (verdict.compared.length === 0)
    ctx.log.warn(`--baseline ${baselinePath} has no measurement this run repeats; nothing was compared`);
  if (!verdict.ok) {
    const regressed = `${verdict.regressions.length} of ${verdict.compared.length} measurements regressed`;
    const kept = ctx.persistent('bench.regressed.json');
    await writeFile(kept, `${JSON.stringify(bench, null, 2)}\n`);
    return fail('check-failed', `${regressed} against ${baselinePath}`, [
      ...bench.baseline.regressions,
      `this run's bench.json: ${kept}`,
    ]);
  }
  ctx.log.info(`no regression against ${baselinePath}`, {
    compared: verdict.compared.length,
    missing: verdict.missing.length,
  });
  return ok(undefined);
}
