/**
 * The GPU-machine benchmark, in one process (`make bench-gpu`, or on the device tool's machine):
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
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPasses } from '../onnx/rewrite/pass-manager.js';
import { decodeModel, encodeModel, writeModelFile } from '../onnx/serde.js';
import { exec } from '../pipeline/exec.js';
import { defaults as modelDefaults } from '../stages/build/config.js';
import { buildMobileNetV2 } from '../stages/build/mobilenetv2.js';
import { compareWithBaseline } from '../stages/benchmark/baseline.js';
import { benchConfig, type BenchConfig } from '../stages/benchmark/config.js';
import { exportForTorch } from '../stages/benchmark/graph-export.js';
import type { BenchFile, Measurement } from '../stages/benchmark/result.js';
import { measureOrt } from '../stages/benchmark/ort-runner.js';
import { runBenchmark } from '../stages/benchmark/run-bench.js';
import { latencyStats } from '../stages/benchmark/stats.js';
import { probeTorch, runTorch, sourceFile } from '../stages/benchmark/torch-runner.js';
import { DELICATE_OPS } from '../stages/convert-fp16/config.js';
import { convertFloat16 } from '../stages/convert-fp16/convert.js';
import { trtConfig } from '../trt/config.js';
import { readTrtInputs } from '../trt/model-input.js';
import { defaults as optimizeDefaults } from '../stages/optimize/config.js';
import { passesByName } from '../stages/optimize/passes/index.js';
import { normalFloats } from '../onnx/random.js';

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
const out = a.out;
await mkdir(out, { recursive: true });
const ints = (s: string) => s.split(',').map(Number);
const log = {
  info: (m: string) => console.error(`[bench] ${m}`),
  warn: (m: string) => console.error(`[bench] WARN ${m}`),
};
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// ---- the artifacts, made by the project's own build, optimize and convert:fp16 code (or from --raw)
const rawBytes = a.raw
  ? await readFile(a.raw)
  : encodeModel(
      buildMobileNetV2({
        ...modelDefaults,
        width_mult: Number(a.width),
        input_size: Number(a.size),
        num_classes: Number(a.classes),
        dynamic_batch: true,
      }),
    );
const raw = decodeModel(rawBytes);
if (!raw.ok) throw new Error(`cannot read the raw model: ${raw.error}`);
const opt = runPasses(raw.value, passesByName(optimizeDefaults.passes)).model;
const fp16 = convertFloat16(opt, { keepFp32: [...DELICATE_OPS], keepIoFp32: true });
if (!fp16.ok) throw new Error(`float16 conversion failed: ${fp16.error}`);
const work = a.work!;
await mkdir(work, { recursive: true });
const paths = { raw: join(work, 'model.onnx'), opt: join(work, 'model.opt.onnx'), fp16: join(work, 'model.fp16.onnx') };
await writeFile(paths.raw, rawBytes);
await writeModelFile(paths.opt, opt);
await writeModelFile(paths.fp16, fp16.value.model);
const nodes = [raw.value, opt, fp16.value.model].map((m) => m.graph.nodes.length);
log.info(`nodes: raw ${nodes[0]}, optimized ${nodes[1]}, fp16 ${nodes[2]} (${elapsed()})`);

const base = (over: Partial<BenchConfig>): BenchConfig =>
  benchConfig({ bench: { warmup: Number(a.warmup), runs: Number(a.runs), python: a.python, ...over } });
const trt = trtConfig({});

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
async function measureAll(file: string): Promise<BenchFile> {
  const groups: BenchConfig[] = [
    base({ engines: ['ort'], batch_sizes: ints(a['ort-batches']!), precisions: ['fp32', 'fp16'] }),
    base({ engines: ['torch-eager', 'torch-cudagraph'], batch_sizes: ints(a.batches!), precisions: ['fp32', 'fp16'] }),
    ...(a['no-compile']
      ? []
      : [base({ engines: ['torch-compile'], batch_sizes: ints(a.batches!), precisions: ['fp32', 'fp16'] })]),
  ];
  const parts: BenchFile[] = [];
  for (const config of groups) {
    const r = await runBenchmark({
      config,
      trt,
      artifacts: { model: paths.opt, source: paths.raw, fp16: paths.fp16 },
      workDir: work,
      exec,
      log,
    });
    if (!r.ok) throw new Error(`${r.error.message}\n${(r.error.details ?? []).join('\n')}`);
    parts.push(r.value);
    await writeFile(file, `${JSON.stringify(merge(parts), null, 2)}\n`);
    log.info(`${config.engines.join(', ')} done (${elapsed()})`);
  }
  return merge(parts);
}

const fmt = (v: number | null | undefined, d = 3) => (v === null || v === undefined ? '–' : v.toFixed(d));
function table(b: BenchFile): string {
  const check = (c: Measurement['correctness']) =>
    c ? `${c.relL2.toExponential(1)} / ${c.top1?.toFixed(2) ?? '–'}${c.ok ? '' : ' **FLAGGED**'}` : '–';
  const rows = b.measurements.map((m: Measurement) => {
    const s = m.stats;
    const times = [s.min, s.p50, s.p90, s.p99, s.mean, s.stddev].map((v) => fmt(v)).join(' | ');
    const cells = [m.engine, m.precision, m.batch, m.device, times, m.throughput.toFixed(0), check(m.correctness)];
    return `| ${cells.join(' | ')} |`;
  });
  return [
    '| engine | precision | batch | device | min ms | p50 ms | p90 ms | p99 ms | mean ms | stddev | images/s | ' +
      'relL2 / top-1 |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...rows,
  ].join('\n');
}

// ---- 1. harness overhead: onnxruntime-node vs Python onnxruntime, same file, input, level and threads
const inputs = await readTrtInputs(paths.opt, {});
if (!inputs.ok) throw new Error(inputs.error);
// MobileNetV2 has one input, [batch, 3, H, W].
const input = {
  value: { name: inputs.value.inputs[0]!.name, rest: inputs.value.inputs[0]!.dims.slice(1) as number[] },
};
const inputFile = join(work, 'ort-input-b1.f32');
const x = normalFloats(
  input.value.rest.reduce((p, d) => p * d, 1),
  base({}).seed,
);
await writeFile(inputFile, new Uint8Array(x.buffer));
// Python, node, Python, node: the machine drifts (clocks, other tenants), so each pair is judged on its own.
const pythonOrt = async () => {
  const py = await exec(a.python || 'python3', [sourceFile('bench/ort_python.py')], {
    input: JSON.stringify({
      model: paths.opt,
      input: inputFile,
      dims: [1, ...input.value.rest],
      level: 'all',
      intraOpThreads: 0,
      interOpThreads: 0,
      warmup: Number(a.warmup),
      runs: Number(a.runs),
    }),
  });
  if (py.exitCode !== 0) return `python onnxruntime: ${py.stderr.trim().split('\n').at(-1) ?? py.exitCode}`;
  const reply = JSON.parse(py.stdout) as { onnxruntime: string; samplesMs: number[] };
  return { version: reply.onnxruntime, stats: latencyStats(reply.samplesMs) };
};
const nodeOrt = async () => {
  const exactly = (n: number) => ({ runs: n, maxMs: Infinity, minSamples: n });
  const run = await measureOrt({
    path: paths.opt,
    artifact: 'model.opt.onnx',
    precision: 'fp32',
    batch: 1,
    feeds: { [input.value.name]: { type: 'float32', dims: [1, ...input.value.rest], data: x } },
    warmup: exactly(Number(a.warmup)),
    timed: exactly(Number(a.runs)),
    settings: { level: 'all', intraOpThreads: 0, interOpThreads: 0 },
  });
  if (!run.ok) throw new Error(run.error.reason);
  return run.value.measurement.stats;
};
const pairs: Record<string, unknown>[] = [];
let harness: Record<string, unknown> = {};
for (let i = 0; i < Number(a.pairs); i++) {
  const p = await pythonOrt();
  const n = await nodeOrt();
  if (typeof p === 'string') {
    harness = { error: p };
    break;
  }
  pairs.push({
    nodeP50: n.p50,
    pythonP50: p.stats.p50,
    ratio: n.p50 / p.stats.p50,
    pythonOnnxruntime: p.version,
    node: n,
    python: p.stats,
  });
}
if (pairs.length) harness = { pairs };
await writeFile(join(out, 'harness.json'), `${JSON.stringify(harness, null, 2)}\n`);
const harnessMd = [
  '## harness overhead (ORT level all, batch 1, default threads; node p50 / Python p50 per pair)',
  '```',
  ...(pairs.length
    ? pairs.map((p) => JSON.stringify({ ...p, node: undefined, python: undefined }))
    : [JSON.stringify(harness)]),
  '```',
  '',
];
log.info(`harness done (${elapsed()})`);

if (a['harness-only']) {
  console.log(harnessMd.join('\n'));
  process.exit(0);
}

if (a['repeat-only']) {
  const baseline = JSON.parse(await readFile(a['repeat-only'], 'utf8')) as BenchFile;
  const again = await measureAll(join(out, 'bench.repeat.json'));
  if (again.model.sha256 !== baseline.model.sha256)
    console.log(`note: ${again.model.name} is not the file the baseline measured (sha256 differs)`);
  const gate = compareWithBaseline(again, baseline);
  await writeFile(join(out, 'repeat.json'), `${JSON.stringify(gate, null, 2)}\n`);
  const strict = gate.compared.filter(
    (c) => c.currentP50 - c.baselineP50 <= c.spreadMs && c.baselineP50 - c.currentP50 <= c.spreadMs,
  );
  for (const c of gate.compared) {
    const [was, now] = [c.baselineP50.toFixed(3), c.currentP50.toFixed(3)];
    const allowance = `spread ${c.spreadMs.toFixed(3)}, allowed ${c.allowedMs.toFixed(3)}`;
    console.log(`${c.regression ? 'SLOWER ' : 'ok     '} ${c.key}: ${was} -> ${now} ms (${allowance})`);
  }
  console.log(
    `repeat: |Δp50| within the spread for ${strict.length}/${gate.compared.length}; ` +
      `gate (slower than allowed) fails ${gate.regressions.length}; missing ${gate.missing.length}`,
  );
  console.log(harnessMd.join('\n'));
  process.exit(0);
}

// ---- 2. raw vs optimized through the torch runner at batch 1
const torch = await probeTorch(a.python ?? '', exec);
const rawVsOpt: Record<string, unknown> = {};
if (torch.ok) {
  const input1 = join(work, 'raw-vs-opt-b1.f32');
  await writeFile(input1, new Uint8Array(x.buffer));
  // raw, optimized, raw, optimized, each after a long warm-up: the GPU clocks up from idle over the first
  // few hundred milliseconds, so whichever ran first would look slower. The second pair is the figure.
  for (const [label, path] of [
    ['raw1', paths.raw],
    ['optimized1', paths.opt],
    ['raw', paths.raw],
    ['optimized', paths.opt],
  ] as const) {
    const g = exportForTorch(await readFile(path), label);
    if (!g.ok) throw new Error(g.error);
    const dir = join(work, `rvo-${label}`);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'graph.json'), JSON.stringify(g.value.graph));
    await writeFile(join(dir, 'weights.bin'), g.value.weights);
    const reply = await runTorch(
      exec,
      torch.value.python,
      {
        graph: join(dir, 'graph.json'),
        weights: join(dir, 'weights.bin'),
        inputs: { 1: [{ name: input.value.name, dtype: 'float32', dims: [1, ...input.value.rest], file: input1 }] },
        outputDir: dir,
        warmup: 300,
        warmupMaxSeconds: 1e9,
        iterations: Number(a.runs),
        maxSeconds: 1e9,
        minSamples: Number(a.runs),
        device: 'auto',
        threads: 0,
        tf32: false,
        cudnnBenchmark: true,
        compileMode: '',
        runs: [
          { id: 'eager', mode: 'eager', precision: 'fp32', batch: 1, channelsLast: true },
          { id: 'cudagraph', mode: 'cudagraph', precision: 'fp32', batch: 1, channelsLast: true },
        ],
      },
      600_000,
    );
    if (!reply.ok) throw new Error(reply.error);
    rawVsOpt[label] = {
      nodes: g.value.graph.nodes.length,
      ...Object.fromEntries(reply.value.results.map((r) => [r.id, r.ok ? latencyStats(r.samplesMs) : r.reason])),
    };
  }
  const p50 = (l: string, id: string) => (rawVsOpt[l] as Record<string, { p50?: number }>)[id]?.p50;
  for (const id of ['eager', 'cudagraph']) {
    for (const pass of ['1', '']) {
      const r = p50(`raw${pass}`, id),
        o = p50(`optimized${pass}`, id);
      if (r !== undefined && o !== undefined) rawVsOpt[`${id}Ratio${pass}`] = o / r;
    }
  }
} else {
  rawVsOpt.error = torch.error.reason;
}
await writeFile(join(out, 'raw-vs-opt.json'), `${JSON.stringify(rawVsOpt, null, 2)}\n`);
const rvoMd = [
  '## raw vs optimized, torch runner, FP32 batch 1 (p50 ratio optimized/raw; 1 = first pair)',
  '```',
  JSON.stringify({ ...rawVsOpt, raw1: undefined, optimized1: undefined, raw: undefined, optimized: undefined }),
  '```',
  '',
];
log.info(`raw vs optimized done (${elapsed()})`);

// ---- 3. why CUDA graphs at batch 1 cost what they cost: our graph in the runner, layouts and TF32 varied,
// beside torchvision's own module on the same clock
const variants: string[] = [];
if (torch.ok) {
  const dir = join(work, 'variants');
  await mkdir(dir, { recursive: true });
  const g = exportForTorch(await readFile(paths.opt), 'optimized');
  if (!g.ok) throw new Error(g.error);
  await writeFile(join(dir, 'graph.json'), JSON.stringify(g.value.graph));
  await writeFile(join(dir, 'weights.bin'), g.value.weights);
  await writeFile(join(dir, 'input-b1.f32'), new Uint8Array(x.buffer));
  for (const tf32 of [false, true]) {
    const reply = await runTorch(
      exec,
      torch.value.python,
      {
        graph: join(dir, 'graph.json'),
        weights: join(dir, 'weights.bin'),
        inputs: {
          1: [
            {
              name: input.value.name,
              dtype: 'float32',
              dims: [1, ...input.value.rest],
              file: join(dir, 'input-b1.f32'),
            },
          ],
        },
        outputDir: dir,
        warmup: 300,
        warmupMaxSeconds: 1e9,
        iterations: Number(a.runs),
        maxSeconds: 1e9,
        minSamples: Number(a.runs),
        device: 'auto',
        threads: 0,
        tf32,
        cudnnBenchmark: true,
        compileMode: '',
        runs: [true, false].flatMap((cl) =>
          (['fp32', 'fp16'] as const).map((precision) => ({
            id: `cudagraph-${precision}-cl${cl}`,
            mode: 'cudagraph' as const,
            precision,
            batch: 1,
            channelsLast: cl,
          })),
        ),
      },
      600_000,
    );
    if (!reply.ok) throw new Error(reply.error);
    for (const r of reply.value.results)
      variants.push(
        JSON.stringify({ model: 'ours', id: r.id, tf32, p50: r.ok ? latencyStats(r.samplesMs).p50 : r.reason }),
      );
  }
  const tv = await exec(torch.value.python, [sourceFile('bench/torchvision_ref.py'), '300', a.runs!], {
    timeoutMs: 300_000,
  });
  variants.push(
    ...(tv.exitCode === 0
      ? tv.stdout.trim().split('\n')
      : [JSON.stringify({ torchvision: tv.stderr.trim().split('\n').at(-1) })]),
  );
}
await writeFile(join(out, 'variants.jsonl'), `${variants.join('\n')}\n`);
const variantsMd = [
  '## CUDA graphs at batch 1, layouts and TF32; torchvision on the same clock',
  '```',
  ...variants,
  '```',
  '',
];
log.info(`variants done (${elapsed()})`);

// ---- 4. the benchmark
const bench = await measureAll(join(out, 'bench.json'));
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

await writeFile(join(out, 'summary.md'), `${md.join('\n')}\n`);
console.log(md.join('\n'));
log.info(`all done (${elapsed()})`);
