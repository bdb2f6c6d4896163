/**
 * `make bench-int8`: quantize:int8 on the default MobileNetV2, measured in one run on this machine.
 *   1. ORT INT8 (ours) vs ORT FP32, p50 at batch 1 and 16. Target ≥ 2.0× at both.
 *   2. Ours vs onnxruntime's own quantize_static (bench/ort_quantize_static.py: QDQ, per-channel, uint8
 *      activations, min-max, the same calibration inputs). Target: throughput ≥ 0.95× theirs, relative L2
 *      against FP32 ≤ 1.1× theirs.
 * The calibration inputs are written once as a calibration folder (32 seeded standard-normal images: the
 * built-in model's weights are random, so real images would prove no more) that both quantizers read. The
 * three sessions are timed round-robin (who goes first rotates), so the shared machine's load hits them alike.
 * usage: node dist/bench/int8.js [--runs N] [--samples N] [--threads N] (INT8_PYTHON: a Python with onnxruntime)
 */
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { agreement } from '../onnx/compare.js';
import { DType } from '../onnx/ir.js';
import { openSession, runFloat, type Session } from '../onnx/ort.js';
import { normalFloats } from '../onnx/random.js';
import { encodeTensorBytes } from '../onnx/serde.js';
import { makeTensor } from '../onnx/tensor.js';
import { exec } from '../pipeline/execute/exec.js';
import { fromRoot } from '../test/repo-root.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '40' },
    samples: { type: 'string', default: '32' },
    threads: { type: 'string', default: '1' },
    python: { type: 'string', default: process.env['INT8_PYTHON'] ?? 'python3' },
  },
});
const runs = Number(args.runs);
/** One intra-op thread by default: this is a shared 2-core machine (as make bench-optimize). */
const threads = { intraOpThreads: Number(args.threads), interOpThreads: 1 };
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;
const image = (seed: number, batch: number) => normalFloats(batch * 3 * 224 * 224, seed);

async function calibrationFolder(dir: string, samples: number): Promise<void> {
  for (let k = 0; k < samples; k++) {
    const set = join(dir, `test_data_set_${k}`);
    await mkdir(set, { recursive: true });
    const t = makeTensor('input', DType.FLOAT, [1, 3, 224, 224], image(7919 + k, 1));
    await writeFile(join(set, 'input_0.pb'), encodeTensorBytes(t));
  }
}

async function run(cmd: string, argv: string[]): Promise<void> {
  const r = await exec(cmd, argv, { timeoutMs: 900_000 });
  if (r.exitCode !== 0) {
    console.error(`${cmd} ${argv.join(' ')} failed:\n${r.stderr.slice(-3000)}`);
    process.exit(1);
  }
}

async function timeRoundRobin(sessions: [string, Session][], batch: number): Promise<Map<string, number[]>> {
  const feeds = { input: { dims: [batch, 3, 224, 224], data: image(4242, batch) } };
  for (const [, s] of sessions) for (let i = 0; i < 3; i++) await runFloat(s, feeds);
  const times = new Map<string, number[]>(sessions.map(([n]) => [n, []]));
  const n = batch === 1 ? runs : Math.max(10, Math.round(runs / 4));
  for (let r = 0; r < n; r++)
    for (let k = 0; k < sessions.length; k++) {
      // Rotated, and reversed every other round: each session follows each other one equally often (the one
      // before leaves the caches cold or warm for it).
      const at =
        r % 2 === 0 ? (r + k) % sessions.length : (((r - k) % sessions.length) + sessions.length) % sessions.length;
      const [name, s] = sessions[at] as [string, Session];
      const t0 = performance.now();
      await runFloat(s, feeds);
      times.get(name)?.push(performance.now() - t0);
    }
  return times;
}

/** Relative L2 against FP32 on 8 seeded images the calibration never saw, worst of them. */
async function accuracy(sessions: [string, Session][]): Promise<Map<string, number>> {
  const worst = new Map<string, number>();
  for (let k = 0; k < 8; k++) {
    const feeds = { input: { dims: [1, 3, 224, 224], data: image(100 + k, 1) } };
    const ref = Object.values(await runFloat(sessions[0]![1], feeds))[0]!.data;
    for (const [name, s] of sessions.slice(1)) {
      const got = Object.values(await runFloat(s, feeds))[0]!.data;
      worst.set(name, Math.max(worst.get(name) ?? 0, agreement(got, ref).relL2));
    }
  }
  return worst;
}

const dir = await mkdtemp(join(tmpdir(), 'ef-bench-int8-'));
try {
  const calibration = join(dir, 'calibration');
  await calibrationFolder(calibration, Number(args.samples));
  const artifacts = join(dir, 'artifacts');
  const q0 = performance.now();
  await run('node', [
    fromRoot('pipeline.mjs'),
    'quantize',
    '--artifacts',
    artifacts,
    '--set',
    `quantize.calibration=${calibration}`,
    '--set',
    `quantize.samples=${args.samples}`,
  ]);
  const stageS = (performance.now() - q0) / 1000;
  const latest = join(artifacts, 'latest');
  const theirs = join(dir, 'ort_quantize_static.onnx');
  await run(args.python as string, [
    fromRoot('bench', 'ort_quantize_static.py'),
    join(latest, 'model.opt.onnx'),
    calibration,
    theirs,
  ]);
  const report = JSON.parse(await readFile(join(latest, 'quantize.json'), 'utf8'));
  const sessions: [string, Session][] = [
    ['fp32', await openSession(join(latest, 'model.opt.onnx'), threads)],
    ['int8 ours', await openSession(join(latest, 'model.int8.onnx'), threads)],
    ['int8 quantize_static', await openSession(theirs, threads)],
  ];
  console.log(
    `load average before timing: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  console.log(
    `quantize:int8 stage: ${stageS.toFixed(1)} s (${report.calibration.samples} samples, ` +
      `${report.quantizedNodes} nodes int8, ${report.kept_float.length} kept float)`,
  );
  const rel = await accuracy(sessions);
  for (const batch of [1, 16]) {
    const t = await timeRoundRobin(sessions, batch);
    const p = (n: string) => median(t.get(n) ?? []);
    const line = (n: string) => `${n} ${p(n).toFixed(2)} ms`;
    console.log(`batch ${batch}: ${sessions.map(([n]) => line(n)).join(', ')} (${t.get('fp32')?.length} runs each)`);
    const speedup = p('fp32') / p('int8 ours');
    const vs = p('int8 quantize_static') / p('int8 ours');
    console.log(
      `  ours vs fp32: ${speedup.toFixed(2)}× (target ≥ 2.0) ${speedup >= 2 ? 'MET' : 'MISSED'}; ` +
        `ours vs quantize_static throughput: ${vs.toFixed(2)}× (target ≥ 0.95) ${vs >= 0.95 ? 'MET' : 'MISSED'}`,
    );
  }
  const ours = rel.get('int8 ours') as number;
  const theirsL2 = rel.get('int8 quantize_static') as number;
  console.log(
    `rel L2 vs fp32 (worst of 8 unseen inputs): ours ${ours.toExponential(2)}, ` +
      `quantize_static ${theirsL2.toExponential(2)} = ${(ours / theirsL2).toFixed(2)}× (target ≤ 1.1) ` +
      (ours <= 1.1 * theirsL2 ? 'MET' : 'MISSED'),
  );
  console.log(
    `load average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  );
  for (const [, s] of sessions) await s.release();
} finally {
  await rm(dir, { recursive: true, force: true });
}
