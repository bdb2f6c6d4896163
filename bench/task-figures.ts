/**
 * `make bench-task`: the task-metric table of docs/corpus.md. For the corpus models whose job can be counted
 * (PaddleOCR's direction classifier and PP-OCRv4 recognition on the labelled lines of `make task-data`,
 * openWakeWord heads on a spoken wake word), the shipped CLI runs `bench` with its example config on
 * onnxruntime only, and the table gives, per precision the benchmark measured (FP32, FP16, INT8 once the
 * quantize stage makes a model), the task metric at every batch size with the relative L2 beside it and the p50.
 * Until the quantize stage lands, `--yardstick DIR` fills the INT8 column from DIR/<model>.int8.onnx made by
 * onnxruntime's own quantizer (bench/ort_int8_yardstick.py), measured in-process on the same inputs against
 * the same reference, and marked as such.
 * usage: node dist/bench/task-figures.js [--runs N] [--only model,model] [--yardstick DIR]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { checkDataFiles } from '../onnx/inputs/index.js';
import { exec } from '../pipeline/execute/exec.js';
import { labelFiles } from '../stages/benchmark/labels.js';
import { runBenchmark } from '../stages/benchmark/run-bench.js';
import { inputsConfig, sourceSection } from '../source/config.js';
import { benchConfig, kitSections } from '../stages/benchmark/kits.js';
import type { BenchFile, Measurement } from '../measure/result.js';
import { fromRoot } from '../test/repo-root.js';

const { values: args } = parseArgs({
  options: { runs: { type: 'string', default: '20' }, only: { type: 'string' }, yardstick: { type: 'string' } },
});
const MODELS = ['ppocr_mobile_v2_cls', 'ppocr_v4_rec', 'oww_alexa', 'oww_hey_jarvis'];
const wanted = args.only ? args.only.split(',') : MODELS;

async function benchOf(name: string): Promise<BenchFile> {
  const artifacts = await mkdtemp(join(tmpdir(), 'ef-task-figures-'));
  const cli = [fromRoot('pipeline.mjs'), 'bench', '--config', fromRoot('configs/examples', `${name}.yaml`)];
  const options = ['--artifacts', artifacts, '--set', 'bench.engines=[ort]', '--set', `bench.runs=${args.runs}`];
  const r = await exec(process.execPath, [...cli, ...options], { timeoutMs: 600_000 });
  if (r.exitCode !== 0) throw new Error(`bench on ${name} exited ${r.exitCode}: ${r.stderr.trim().split('\n').pop()}`);
  return JSON.parse(await readFile(join(artifacts, 'latest', 'bench.json'), 'utf8')) as BenchFile;
}

/** bench.json's measurements of `DIR/<name>.int8.onnx` on ORT, relabelled INT8, when the file is there. */
async function yardstick(name: string): Promise<Measurement[]> {
  const model = join(args.yardstick ?? '', `${name}.int8.onnx`);
  if (!args.yardstick || !existsSync(model)) return [];
  const config = fromRoot('configs/examples', `${name}.yaml`);
  const root = parse(await readFile(config, 'utf8')) as Record<string, unknown>;
  const dir = sourceSection(root).check_data;
  const folder = dir ? resolve(dirname(config), dir) : undefined;
  const files = folder ? await checkDataFiles(folder) : undefined;
  const r = await runBenchmark({
    config: benchConfig({ ...root, bench: { ...(root['bench'] as object), engines: ['ort'], precisions: ['fp32'] } }),
    ...kitSections({}),
    artifacts: { model, source: fromRoot('.cache/models', `${name}.onnx`) },
    workDir: await mkdtemp(join(tmpdir(), 'ef-task-yardstick-')),
    exec,
    log: { info: () => undefined, warn: () => undefined },
    inputs: inputsConfig(root),
    checkFiles: { ...(files?.ok ? files.value : {}), ...(folder ? await labelFiles(folder) : {}) },
  });
  if (!r.ok) throw new Error(`${model}: ${r.error.message}`);
  return r.value.measurements.map((m) => ({ ...m, precision: 'int8' as Measurement['precision'] }));
}

const cell = (m: Measurement | undefined): string => {
  const c = m?.correctness;
  if (!m || !c) return 'not measured';
  const task = c.task ? `${(c.task.value * 100).toFixed(1)} % (${c.task.metric}, ${c.task.samples})` : 'no task metric';
  return `${task}; rel L2 ${c.relL2.toExponential(1)}; p50 ${m.stats.p50.toFixed(2)} ms`;
};

const rows: string[] = [];
const precisions = ['fp32', 'fp16', 'int8'];
for (const name of wanted) {
  const bench = await benchOf(name);
  bench.measurements.push(...(await yardstick(name)));
  const batches = [...new Set(bench.measurements.map((m) => m.batch))].sort((a, b) => a - b);
  for (const batch of batches) {
    const at = (p: string) => bench.measurements.find((m) => m.batch === batch && (m.precision as string) === p);
    rows.push(`| ${name} | ${batch} | ${precisions.map((p) => cell(at(p))).join(' | ')} |`);
  }
  for (const s of bench.skipped) {
    rows.push(`| ${name} | | skipped ${[s.engine, s.precision].filter(Boolean).join(' ')}: ${s.reason} | | |`);
  }
}
console.log(
  `onnxruntime-node (bench.engines: [ort], bench.runs ${args.runs}), ${new Date().toISOString().slice(0, 10)}, ` +
    `load average ${loadavg()[0]?.toFixed(1)}\n`,
);
if (args.yardstick) console.log("INT8: onnxruntime's quantize_static (bench/ort_int8_yardstick.py), not ours\n");
console.log('| model | batch | FP32 | FP16 | INT8 |\n| --- | --- | --- | --- | --- |');
for (const r of rows) console.log(r);
