/**
 * Harness overhead: onnxruntime-node against Python's onnxruntime on the same file, input, level and threads,
 * in pairs (Python, node, Python, node): the machine drifts (clocks, other tenants), so each pair is judged on
 * its own. Writes harness.json; returns its section of summary.md.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exec } from '../../pipeline/execute/exec.js';
import { measureOrt } from '../../ort/runner.js';
import { latencyStats } from '../../measure/stats.js';
import { sourceFile } from '../../pipeline/source-file.js';
import type { GpuRun } from './setup.js';

export async function measureHarness(run: GpuRun): Promise<string[]> {
  const inputFile = join(run.work, 'ort-input-b1.f32');
  await writeFile(inputFile, new Uint8Array(run.x.buffer));
  const pairs: Record<string, unknown>[] = [];
  let harness: Record<string, unknown> = {};
  for (let i = 0; i < Number(run.options.pairs); i++) {
    const p = await pythonOrt(run, inputFile);
    const n = await nodeOrt(run);
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
  await writeFile(join(run.out, 'harness.json'), `${JSON.stringify(harness, null, 2)}\n`);
  run.log.info(`harness done (${run.elapsed()})`);
  return [
    '## harness overhead (ORT level all, batch 1, default threads; node p50 / Python p50 per pair)',
    '```',
    ...(pairs.length
      ? pairs.map((p) => JSON.stringify({ ...p, node: undefined, python: undefined }))
      : [JSON.stringify(harness)]),
    '```',
    '',
  ];
}

async function pythonOrt(run: GpuRun, inputFile: string) {
  const py = await exec(run.options.python || 'python3', [sourceFile('bench/ort_python.py')], {
    input: JSON.stringify({
      model: run.paths.opt,
      input: inputFile,
      dims: [1, ...run.input.rest],
      level: 'all',
      intraOpThreads: 0,
      interOpThreads: 0,
      warmup: Number(run.options.warmup),
      runs: Number(run.options.runs),
    }),
  });
  if (py.exitCode !== 0) return `python onnxruntime: ${py.stderr.trim().split('\n').at(-1) ?? py.exitCode}`;
  const reply = JSON.parse(py.stdout) as { onnxruntime: string; samplesMs: number[] };
  return { version: reply.onnxruntime, stats: latencyStats(reply.samplesMs) };
}

async function nodeOrt(run: GpuRun) {
  const exactly = (n: number) => ({ runs: n, maxMs: Infinity, minSamples: n });
  const measured = await measureOrt({
    path: run.paths.opt,
    artifact: 'model.opt.onnx',
    precision: 'fp32',
    batch: 1,
    feeds: { [run.input.name]: { type: 'float32', dims: [1, ...run.input.rest], data: run.x } },
    warmup: exactly(Number(run.options.warmup)),
    timed: exactly(Number(run.options.runs)),
    settings: { level: 'all', intraOpThreads: 0, interOpThreads: 0 },
  });
  if (!measured.ok) throw new Error(measured.error.message);
  return measured.value.measurement.stats;
}
