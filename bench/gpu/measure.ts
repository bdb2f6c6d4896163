/**
 * The product's own benchmark (runBenchmark) in engine groups, bench.json rewritten after each group so a
 * cut-off run keeps what it measured; its table for summary.md; and a repeat judged by the regression gate.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../../pipeline/execute/exec.js';
import { compareWithBaseline } from '../../stages/benchmark/baseline.js';
import type { BenchConfig } from '../../measure/config.js';
import type { BenchFile, Measurement } from '../../measure/result.js';
import { runBenchmark } from '../../stages/benchmark/run-bench.js';
import { kitSections } from '../../stages/benchmark/kits.js';
import { ints, type GpuRun } from './setup.js';

function merge(parts: BenchFile[]): BenchFile {
  const first = parts[0]!;
  return {
    ...first,
    environment: { ...first.environment, versions: Object.assign({}, ...parts.map((p) => p.environment.versions)) },
    measurements: parts.flatMap((p) => p.measurements),
    skipped: parts.flatMap((p) => p.skipped),
  };
}

/** onnxruntime, then eager and CUDA graphs, then torch.compile (the slow one to warm up) last. */
export async function measureAll(run: GpuRun, file: string): Promise<BenchFile> {
  const o = run.options;
  const precisions: BenchConfig['precisions'] = ['fp32', 'fp16'];
  const groups: BenchConfig[] = [
    run.config({ engines: ['ort'], batch_sizes: ints(o['ort-batches']), precisions }),
    run.config({ engines: ['torch-eager', 'torch-cudagraph'], batch_sizes: ints(o.batches), precisions }),
    ...(o['no-compile'] ? [] : [run.config({ engines: ['torch-compile'], batch_sizes: ints(o.batches), precisions })]),
  ];
  const parts: BenchFile[] = [];
  for (const config of groups) {
    const r = await runBenchmark({
      config,
      ...kitSections({}),
      artifacts: { model: run.paths.opt, source: run.paths.raw, onnx: { fp16: run.paths.fp16 } },
      workDir: run.work,
      exec,
      log: run.log,
    });
    if (!r.ok) throw new Error(`${r.error.message}\n${(r.error.details ?? []).join('\n')}`);
    parts.push(r.value);
    await writeFile(file, `${JSON.stringify(merge(parts), null, 2)}\n`);
    run.log.info(`${config.engines.join(', ')} done (${run.elapsed()})`);
  }
  return merge(parts);
}

const fmt = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '–' : v.toFixed(d));

function correctness(m: Measurement): string {
  const c = m.correctness;
  if (!c) return '–';
  return `${c.relL2.toExponential(1)} / ${c.top1?.toFixed(2) ?? '–'}${c.ok ? '' : ' **FLAGGED**'}`;
}

export function table(b: BenchFile): string {
  const rows = b.measurements.map((m) => {
    const s = m.stats;
    const cells = [m.engine, m.precision, m.batch, m.device, fmt(s.min), fmt(s.p50), fmt(s.p90), fmt(s.p99)];
    cells.push(fmt(s.mean), fmt(s.stddev), m.throughput.toFixed(0), correctness(m));
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| engine | precision | batch | device | min ms | p50 ms | p90 ms | p99 ms | mean ms | stddev | images/s ' +
      '| relL2 / top-1 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

/**
 * --repeat-only BASELINE: bench.json measured again (bench.repeat.json) and compared with BASELINE through the
 * regression gate (repeat.json): a benchmark repeated on a quiet machine should agree within its spread.
 */
export async function repeatAgainst(run: GpuRun, baselineFile: string): Promise<void> {
  const baseline = JSON.parse(await readFile(baselineFile, 'utf8')) as BenchFile;
  const again = await measureAll(run, join(run.out, 'bench.repeat.json'));
  if (again.model.sha256 !== baseline.model.sha256)
    console.log(`note: ${again.model.name} is not the file the baseline measured (sha256 differs)`);
  const gate = compareWithBaseline(again, baseline);
  await writeFile(join(run.out, 'repeat.json'), `${JSON.stringify(gate, null, 2)}\n`);
  const strict = gate.compared.filter((c) => Math.abs(c.ratio - 1) <= c.allowed);
  const line = (c: (typeof gate.compared)[number]) =>
    `${c.regression ? 'SLOWER ' : 'ok     '} ${c.key}: ${c.baselineP50.toFixed(3)} -> ${c.currentP50.toFixed(3)} ms ` +
    `(×${c.ratio.toFixed(3)}, allowed ×${(1 + c.allowed).toFixed(3)})`;
  console.log(gate.compared.map(line).join('\n'));
  console.log(
    `repeat: within the allowance either way for ${strict.length}/${gate.compared.length}; ` +
      `gate (slower than allowed) fails ${gate.regressions.length}; missing ${gate.missing.length}`,
  );
}
