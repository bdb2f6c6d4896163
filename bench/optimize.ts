/**
 * `make bench-optimize`: what the offline passes buy on MobileNetV2 (width 1.0, 224 px, 1000 classes,
 * opset 17, batch 1).
 *   1. The pass list's own time (one cold run, then the median of 10).
 *   2. ORT level `all`: ours optimized vs torchvision's own export (same weights, same opset). Target ≤ 1.02×.
 *   3. ORT level `disabled`: ours optimized vs ours raw. Target ≤ 0.97×.
 * The four sessions are timed alternately in one run (round-robin, rotating who goes first), so drift in
 * the machine's load hits all of them alike. One intra-op thread by default: this is a shared 2-core box.
 * usage: node --import tsx bench/optimize.ts [--runs N] [--warmup N] [--threads N]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { agreement } from '../onnx/compare.js';
import { openSession, runFloat, type Session } from '../onnx/ort.js';
import { normalFloats } from '../onnx/random.js';
import { runPasses } from '../onnx/rewrite/pass-manager.js';
import { encodeModel } from '../onnx/serde.js';
import { exec } from '../pipeline/execute/exec.js';
import { defaults } from '../stages/build/config.js';
import { buildMobileNetV2 } from '../stages/build/mobilenetv2.js';
import { defaultPasses, passesByName } from '../stages/optimize/passes/index.js';
import { fromRoot } from '../test/repo-root.js';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '100' },
    warmup: { type: 'string', default: '10' },
    threads: { type: 'string', default: '1' },
  },
});
const runs = Number(args.runs);
const warmup = Number(args.warmup);
const threads = Number(args.threads);
const config = defaults;
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2
    ? (s[s.length >> 1] as number)
    : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};

const raw = buildMobileNetV2(config);
const passes = await passesByName(defaultPasses);
const cold = performance.now();
const run = runPasses(raw, passes);
const coldMs = performance.now() - cold;
const warm: number[] = [];
for (let i = 0; i < 10; i++) {
  const t0 = performance.now();
  runPasses(raw, passes);
  warm.push(performance.now() - t0);
}
console.log(
  `pass list on MobileNetV2: ${median(warm).toFixed(1)} ms median of 10 (first run ${coldMs.toFixed(1)} ms); ` +
    'target ≤ 100 ms',
);
console.log(`nodes: raw ${raw.graph.nodes.length} → optimized ${run.model.graph.nodes.length}; rounds ${run.rounds}`);

const dir = await mkdtemp(join(tmpdir(), 'ef-bench-opt-'));
try {
  const rawBytes = encodeModel(raw);
  const optBytes = encodeModel(run.model);
  await writeFile(join(dir, 'raw.onnx'), rawBytes);
  const tvPath = join(dir, 'torchvision.onnx');
  const exported = await exec(
    '/usr/bin/python3',
    [
      fromRoot('bench', 'export-torchvision.py'),
      tvPath,
      String(config.opset),
      String(config.width_mult),
      String(config.num_classes),
      String(config.input_size),
      join(dir, 'raw.onnx'),
    ],
    { timeoutMs: 300_000 },
  );
  if (exported.exitCode !== 0) {
    console.error(`torch.onnx.export failed (is Debian's python3-torch installed?):\n${exported.stderr.slice(-2000)}`);
    process.exit(1);
  }
  const opts = (level: 'all' | 'disabled') => ({
    graphOptimizationLevel: level,
    intraOpThreads: threads,
    interOpThreads: 1,
  });
  const sessions: [string, Session][] = [
    ['optimized @all', await openSession(optBytes, opts('all'))],
    ['torchvision @all', await openSession(tvPath, opts('all'))],
    ['raw @disabled', await openSession(rawBytes, opts('disabled'))],
    ['optimized @disabled', await openSession(optBytes, opts('disabled'))],
  ];
  const dims = [1, 3, config.input_size, config.input_size];
  const feeds = {
    input: {
      dims,
      data: normalFloats(
        dims.reduce((a, b) => a * b, 1),
        1,
      ),
    },
  };
  const outputs = new Map<string, Float32Array>();
  for (const [name, s] of sessions) {
    const out = await runFloat(s, feeds);
    outputs.set(name, (Object.values(out)[0] as { data: Float32Array }).data);
    for (let i = 1; i < warmup; i++) await runFloat(s, feeds);
  }
  const ref = outputs.get('raw @disabled') as Float32Array;
  for (const [name, out] of outputs)
    console.log(`agreement ${name} vs raw: rel L2 ${agreement(out, ref).relL2.toExponential(2)}`);

  const times = new Map<string, number[]>(sessions.map(([n]) => [n, []]));
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < sessions.length; k++) {
      const [name, s] = sessions[(r + k) % sessions.length] as [string, Session];
      const t0 = performance.now();
      await runFloat(s, feeds);
      times.get(name)?.push(performance.now() - t0);
    }
  }
  const p50 = (n: string) => median(times.get(n) ?? []);
  console.log(`\np50 latency, batch 1, ${runs} alternating runs, ${threads} intra-op thread(s):`);
  for (const [name] of sessions) console.log(`  ${name.padEnd(22)} ${p50(name).toFixed(3)} ms`);
  const all = p50('optimized @all') / p50('torchvision @all');
  const dis = p50('optimized @disabled') / p50('raw @disabled');
  console.log(
    `\nlevel all:      optimized / torchvision = ${all.toFixed(3)}× (target ≤ 1.02) ` +
      (all <= 1.02 ? 'MET' : 'MISSED'),
  );
  console.log(
    `level disabled: optimized / raw         = ${dis.toFixed(3)}× (target ≤ 0.97) ${dis <= 0.97 ? 'MET' : 'MISSED'}`,
  );
  for (const [, s] of sessions) await s.release();
} finally {
  await rm(dir, { recursive: true, force: true });
}
