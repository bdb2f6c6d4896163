import { writeFile } from 'node:fs/promises';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import type { StageFailure } from '../../pipeline/stage.js';
import { readBenchFile } from './baseline.js';
import type { BenchConfig } from '../../measure/config.js';
import { confirmedGate } from './confirm.js';
import type { Context } from './index.js';
import type { BenchFile } from '../../measure/result.js';
import { runBenchmark } from './run-bench.js';
import { BUILDS, sectionsOf } from './kits.js';
import { builtFiles } from '../../measure/engine-stage.js';
import { recommend } from '../../measure/verdict.js';

/** The benchmark of this stage's inputs under `config` (the stage's own, or one narrowed to re-measure). */
function measure(ctx: Context, config: BenchConfig) {
  const { model, source, fp16, int8 } = ctx.inputs;
  return runBenchmark({
    config,
    ...sectionsOf(ctx.config),
    artifacts: {
      model,
      source,
      onnx: { fp16, int8 },
      built: builtFiles(BUILDS, ctx.inputs),
    },
    workDir: ctx.workDir,
    exec: ctx.exec,
    log: ctx.log,
    inputs: ctx.config.model,
    checkFiles: ctx.inputs.check_data,
    ...(ctx.display ? { given: ctx.display } : {}),
    ...(ctx.config.only ? { only: ctx.config.only } : {}),
    signal: ctx.signal,
  });
}

export async function run(ctx: Context): Promise<Result<void, StageFailure>> {
  const result = await measure(ctx, ctx.config.bench);
  if (!result.ok) return result;
  const bench = result.value;
  bench.recommendation = recommend(bench, ctx.config.decide);
  for (const s of bench.skipped)
    ctx.log.warn(`skipped ${s.engine}${s.precision ? ` ${s.precision}` : ''}: ${s.reason}`);
  const noisy = bench.measurements.filter((m) => m.noise?.noisy);
  for (const m of noisy)
    ctx.log.warn(`${m.engine} ${m.precision} batch ${m.batch} is noisy: ${m.noise!.why.join('; ')}`);
  const baselinePath = ctx.options.baseline;
  if (baselinePath !== undefined) {
    const gated = await gate(ctx, bench, baselinePath);
    if (!gated.ok) return gated;
  }
  await writeFile(ctx.out('bench'), `${JSON.stringify(bench, null, 2)}\n`);
  for (const v of bench.recommendation.batches) ctx.log.info(v.sentence);
  ctx.log.info(`measured ${bench.measurements.length} engine runs`, {
    flagged: bench.measurements.filter((m) => m.correctness?.ok === false).length,
    noisy: noisy.length,
  });
  return ok(undefined);
}

/**
 * `--baseline FILE`: the run compared with an earlier bench.json, each apparent regression measured again
 * before it counts (confirm.ts), the verdict recorded in `bench`. A regression fails the stage; its outputs are
 * then not kept, so this run's bench.json is saved beside the stage's persistent files and the failure names it.
 */
async function gate(ctx: Context, bench: BenchFile, baselinePath: string): Promise<Result<void, StageFailure>> {
  const baseline = await readBenchFile(baselinePath);
  if (!baseline.ok) return fail('bad-input', `--baseline: ${baseline.error}`);
  const verdict = await confirmedGate(
    bench,
    baseline.value,
    async (config) => {
      const again = await measure(ctx, config);
      return again.ok ? again.value : undefined;
    },
    ctx.config.bench,
  );
  bench.baseline = { file: baselinePath, ...verdict.record };
  for (const c of verdict.gate.compared)
    ctx.log.info(`gate ${c.key}: ratio ${c.ratio.toFixed(3)}, allowed ${(1 + c.allowed).toFixed(3)}`);
  if (verdict.gate.compared.length === 0)
    ctx.log.warn(`--baseline ${baselinePath} has no measurement this run repeats; nothing was compared`);
  if (!verdict.gate.ok) {
    const regressed = `${verdict.gate.regressions.length} of ${verdict.gate.compared.length} measurements regressed`;
    const kept = ctx.persistent('bench.regressed.json');
    await writeFile(kept, `${JSON.stringify(bench, null, 2)}\n`);
    return fail('check-failed', `${regressed} against ${baselinePath}, confirmed by measuring again`, [
      ...bench.baseline.regressions,
      `this run's bench.json: ${kept}`,
    ]);
  }
  ctx.log.info(`no regression against ${baselinePath}`, {
    compared: verdict.gate.compared.length,
    missing: verdict.gate.missing.length,
  });
  return ok(undefined);
}
