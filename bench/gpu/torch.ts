/**
 * The torch runner on our exported graph at batch 1: raw against optimized (raw-vs-opt.json), and CUDA graphs
 * with layouts and TF32 varied beside torchvision's own module on the same clock (variants.jsonl). Each
 * returns its section of summary.md.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../../pipeline/execute/exec.js';
import { exportForTorch } from '../../torch/graph-export.js';
import { latencyStats } from '../../measure/stats.js';
import { sourceFile } from '../../pipeline/source-file.js';
import { runTorch, type TorchFound, type TorchRequest, type TorchResult } from '../../torch/runner-process.js';
import type { GpuRun } from './setup.js';

/** The model exported for the torch runner into `dir` (graph.json, weights.bin); its node count. */
async function exportInto(path: string, label: string, dir: string): Promise<number> {
  const g = exportForTorch(await readFile(path), label);
  if (!g.ok) throw new Error(g.error);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'graph.json'), JSON.stringify(g.value.graph));
  await writeFile(join(dir, 'weights.bin'), g.value.weights);
  return g.value.graph.nodes.length;
}

/** Runs at batch 1 on the graph in `dir`, each after a long warm-up, exactly --runs samples. */
async function runAtBatch1(
  run: GpuRun,
  torch: TorchFound,
  dir: string,
  inputFile: string,
  settings: Pick<TorchRequest, 'tf32' | 'runs'>,
): Promise<TorchResult[]> {
  const request: TorchRequest = {
    graph: join(dir, 'graph.json'),
    weights: join(dir, 'weights.bin'),
    inputs: { 1: [{ name: run.input.name, dtype: 'float32', dims: [1, ...run.input.rest], file: inputFile }] },
    outputDir: dir,
    warmup: 300,
    warmupMaxSeconds: 1e9,
    iterations: Number(run.options.runs),
    maxSeconds: 1e9,
    minSamples: Number(run.options.runs),
    device: 'auto',
    threads: 0,
    cudnnBenchmark: true,
    compileMode: '',
    ...settings,
  };
  const reply = await runTorch(exec, torch.python, request, 600_000);
  if (!reply.ok) throw new Error(reply.error.message);
  return reply.value.results;
}

/**
 * raw, optimized, raw, optimized, each after a long warm-up: the GPU clocks up from idle over the first few
 * hundred milliseconds, so whichever ran first would look slower. The second pair is the figure.
 */
export async function rawVsOptimized(run: GpuRun, torch: TorchFound | string): Promise<string[]> {
  const rawVsOpt: Record<string, unknown> = {};
  if (typeof torch === 'string') rawVsOpt.error = torch;
  else {
    const input1 = join(run.work, 'raw-vs-opt-b1.f32');
    await writeFile(input1, new Uint8Array(run.x.buffer));
    const { raw, opt } = run.paths;
    const order = [
      ['raw1', raw],
      ['optimized1', opt],
      ['raw', raw],
      ['optimized', opt],
    ] as const;
    for (const [label, path] of order) {
      const dir = join(run.work, `rvo-${label}`);
      const nodes = await exportInto(path, label, dir);
      const results = await runAtBatch1(run, torch, dir, input1, {
        tf32: false,
        runs: [
          { id: 'eager', mode: 'eager', precision: 'fp32', batch: 1, channelsLast: true },
          { id: 'cudagraph', mode: 'cudagraph', precision: 'fp32', batch: 1, channelsLast: true },
        ],
      });
      rawVsOpt[label] = {
        nodes,
        ...Object.fromEntries(results.map((r) => [r.id, r.ok ? latencyStats(r.samplesMs) : r.message])),
      };
    }
    addRatios(rawVsOpt);
  }
  await writeFile(join(run.out, 'raw-vs-opt.json'), `${JSON.stringify(rawVsOpt, null, 2)}\n`);
  run.log.info(`raw vs optimized done (${run.elapsed()})`);
  return [
    '## raw vs optimized, torch runner, FP32 batch 1 (p50 ratio optimized/raw; 1 = first pair)',
    '```',
    JSON.stringify({ ...rawVsOpt, raw1: undefined, optimized1: undefined, raw: undefined, optimized: undefined }),
    '```',
    '',
  ];
}

/** p50 optimized / raw per mode, for the first pair (`…Ratio1`) and the second. */
function addRatios(rawVsOpt: Record<string, unknown>): void {
  const p50 = (l: string, id: string) => (rawVsOpt[l] as Record<string, { p50?: number }>)[id]?.p50;
  for (const id of ['eager', 'cudagraph']) {
    for (const pass of ['1', '']) {
      const r = p50(`raw${pass}`, id);
      const o = p50(`optimized${pass}`, id);
      if (r !== undefined && o !== undefined) rawVsOpt[`${id}Ratio${pass}`] = o / r;
    }
  }
}

/** Why CUDA graphs at batch 1 cost what they cost: our graph, layouts and TF32 varied, and torchvision. */
export async function cudaGraphVariants(run: GpuRun, torch: TorchFound | string): Promise<string[]> {
  const variants: string[] = [];
  if (typeof torch !== 'string') {
    const dir = join(run.work, 'variants');
    await exportInto(run.paths.opt, 'optimized', dir);
    const inputFile = join(dir, 'input-b1.f32');
    await writeFile(inputFile, new Uint8Array(run.x.buffer));
    const runs = [true, false].flatMap((cl) =>
      (['fp32', 'fp16'] as const).map((precision) => ({
        id: `cudagraph-${precision}-cl${cl}`,
        mode: 'cudagraph' as const,
        precision,
        batch: 1,
        channelsLast: cl,
      })),
    );
    for (const tf32 of [false, true]) {
      for (const r of await runAtBatch1(run, torch, dir, inputFile, { tf32, runs }))
        variants.push(
          JSON.stringify({ model: 'ours', id: r.id, tf32, p50: r.ok ? latencyStats(r.samplesMs).p50 : r.message }),
        );
    }
    variants.push(...(await torchvision(run, torch)));
  }
  await writeFile(join(run.out, 'variants.jsonl'), `${variants.join('\n')}\n`);
  run.log.info(`variants done (${run.elapsed()})`);
  return ['## CUDA graphs at batch 1, layouts and TF32; torchvision on the same clock', '```', ...variants, '```', ''];
}

async function torchvision(run: GpuRun, torch: TorchFound): Promise<string[]> {
  const tv = await exec(torch.python, [sourceFile('bench/torchvision_ref.py'), '300', run.options.runs], {
    timeoutMs: 300_000,
  });
  return tv.exitCode === 0
    ? tv.stdout.trim().split('\n')
    : [JSON.stringify({ torchvision: tv.stderr.trim().split('\n').at(-1) })];
}
