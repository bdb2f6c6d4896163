/**
 * The GPU-machine benchmark, in one process (run by hand on the GPU machine):
 *   node --import tsx bench/gpu.ts --raw model.onnx --out DIR [--runs 100] [--warmup 20] [--work DIR]
 *        [--batches 1,256] [--ort-batches 1,32] [--python python3] [--repeat-only BASELINE] [--no-compile]
 *        [--pairs N] [--harness-only]
 * It optimizes and converts the raw model with the project's own stages' code (artifacts and inputs go to
 * --work), then writes into DIR (bench.json rewritten after each engine group, so a cut-off run keeps what
 * it measured):
 *   bench.json      PyTorch eager / CUDA graphs / torch.compile (FP32, FP16) and onnxruntime-node on the CPU
 *   harness.json    onnxruntime-node p50 vs Python onnxruntime p50, same file, input and settings
 *   raw-vs-opt.json the torch runner on model.onnx vs model.opt.onnx at batch 1 (eager and CUDA graphs)
 *   summary.md      the table
 * With --repeat-only BASELINE it repeats the harness pairs, measures bench.json again (bench.repeat.json) and
 * compares it with BASELINE through the regression gate (repeat.json): a benchmark repeated on a quiet
 * machine should agree within its spread.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { exec } from '../pipeline/execute/exec.js';
import { probeTorch } from '../torch/runner-process.js';
import { measureHarness } from './gpu/harness.js';
import { measureAll, repeatAgainst, table } from './gpu/measure.js';
import { setUp } from './gpu/setup.js';
import { cudaGraphVariants, rawVsOptimized } from './gpu/torch.js';

const { values: a } = parseArgs({
  options: {
    raw: { type: 'string' },
    width: { type: 'string', default: '1.0' },
    size: { type: 'string', default: '224' },
    classes: { type: 'string', default: '1000' },
    out: { type: 'string' },
    runs: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '20' },
    batches: { type: 'string', default: '1,256' },
    'ort-batches': { type: 'string', default: '1,32' },
    python: { type: 'string', default: '' },
    'repeat-only': { type: 'string' },
    'no-compile': { type: 'boolean', default: false },
    pairs: { type: 'string', default: '2' },
    'harness-only': { type: 'boolean', default: false },
    work: { type: 'string', default: '/tmp/enginefoundry-bench' },
  },
});
if (!a.out) {
  console.error(
    'usage: bench/gpu.ts --out DIR [--raw model.onnx | --width 1.0 --size 224 --classes 1000] [--runs N] ' +
      '[--warmup N] [--batches 1,256] [--ort-batches 1,32] [--repeat-only BASELINE]',
  );
  process.exit(2);
}
const run = await setUp({ ...a, out: a.out });

// 1. harness overhead: onnxruntime-node vs Python onnxruntime, same file, input, level and threads
const harnessMd = await measureHarness(run);
if (a['harness-only']) {
  console.log(harnessMd.join('\n'));
  process.exit(0);
}
if (a['repeat-only']) {
  await repeatAgainst(run, a['repeat-only']);
  console.log(harnessMd.join('\n'));
  process.exit(0);
}

// 2. raw vs optimized through the torch runner at batch 1; 3. CUDA graphs at batch 1, varied
const torch = await probeTorch(a.python ?? '', exec);
const found = torch.ok ? torch.value : torch.error.reason;
const rvoMd = await rawVsOptimized(run, found);
const variantsMd = await cudaGraphVariants(run, found);

// 4. the benchmark
const bench = await measureAll(run, join(run.out, 'bench.json'));
const md: string[] = [
  `# bench on ${bench.environment.gpu?.name ?? 'cpu'} — ${bench.createdAt}`,
  '',
  table(bench),
  '',
  '## skipped',
  ...bench.skipped.map((s) => `- ${s.engine} ${s.precision ?? ''}: ${s.reason}`),
  '',
  ...harnessMd,
  ...rvoMd,
  ...variantsMd,
];
await writeFile(join(run.out, 'summary.md'), `${md.join('\n')}\n`);
console.log(md.join('\n'));
run.log.info(`all done (${run.elapsed()})`);
