/**
 * `make bench-corpus`: the corpus table of docs/corpus.md, regenerated. For every real model of
 * configs/examples/models.json, on its check data or seeded inputs (bench/corpus-proof.ts):
 *   - nodes before/after optimize, those inside If/Loop/Scan bodies included (and how many sit in bodies);
 *   - relative L2 of the optimized model and of FP16 (of the optimized model, float32 I/O), or the decline;
 *   - onnxruntime-node p50 of original vs optimized at levels `disabled` and `all`: the four sessions run in
 *     alternation (round-robin, rotating who goes first) on one intra-op thread, and the ratio is the median
 *     of the per-round ratios optimized / original (paired: load drift hits both sides of a pair alike);
 *   - seconds per stage: import (read + hash + decode), validate, optimize (passes, validator, numeric
 *     check), fp16 (conversion, validator, tolerance check).
 * usage: node dist/bench/corpus.js [--runs N] [--warmup N] [--only model,model] [--write docs/corpus.md]
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { openSession, ortFeeds, ortVersion, type Session } from '../onnx/ort.js';
import { countNodes } from '../onnx/rewrite/subgraphs.js';
import { decodeModel, encodeModel } from '../onnx/serde.js';
import { validateModel } from '../onnx/validate/index.js';
import { realModels } from '../test/corpus/models.js';
import { checkInputs, proveFp16, proveOptimize, type Verdict } from './corpus-proof.js';
import type { Feeds } from '../onnx/numeric-check.js';

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    runs: { type: 'string', default: '40' },
    warmup: { type: 'string', default: '5' },
    write: { type: 'string' },
  },
});
const runs = Number(args.runs);
const warmup = Number(args.warmup);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** p50 of each session and the median paired ratio (b / a) per pair, timed in alternation. */
async function timeAlternating(sessions: Session[], feeds: Feeds): Promise<{ p50: number[]; ratio: [number, number] }> {
  const inputs = ortFeeds(feeds);
  for (const s of sessions) for (let i = 0; i < warmup; i++) await s.run(inputs);
  const times = sessions.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    for (let k = 0; k < sessions.length; k++) {
      const i = (r + k) % sessions.length;
      const t0 = performance.now();
      await (sessions[i] as Session).run(inputs);
      times[i]?.push(performance.now() - t0);
    }
  }
  const paired = (a: number, b: number) =>
    median((times[b] as number[]).map((t, r) => t / ((times[a] as number[])[r] as number)));
  return { p50: times.map(median), ratio: [paired(0, 1), paired(2, 3)] };
}

/** A verdict in one cell: the figure, or the status and the reason's first clause (the notes below say the rest). */
const rel = (v: Verdict): string =>
  v.status === 'done' ? v.relL2.toExponential(1) : `${v.status}: ${v.reason.split(/[:;(]/)[0]!.trim()}`;

const rows: string[] = [];
const notes: string[] = [];
for (const m of args.only ? realModels(...args.only.split(',')) : realModels()) {
  const t0 = performance.now();
  const bytes = await readFile(m.file);
  createHash('sha256').update(bytes).digest('hex');
  const decoded = decodeModel(bytes);
  if (!decoded.ok) throw new Error(`${m.file}: ${decoded.error}`);
  const model = decoded.value;
  const t1 = performance.now();
  validateModel(model);
  const t2 = performance.now();
  const inputs = await checkInputs(m.name, model);
  if (!inputs.ok) throw new Error(`${m.name}: ${inputs.error}`);
  const o = await proveOptimize(model, inputs.value.feeds);
  const f = await proveFp16(o.model, inputs.value.feeds);
  const optBytes = encodeModel(o.model);
  const open = (b: Uint8Array, level: 'disabled' | 'all') =>
    openSession(b, { graphOptimizationLevel: level, intraOpThreads: 1, interOpThreads: 1 });
  const sessions = [
    await open(bytes, 'disabled'),
    await open(optBytes, 'disabled'),
    await open(bytes, 'all'),
    await open(optBytes, 'all'),
  ];
  const timing = await timeAlternating(sessions, inputs.value.feeds);
  for (const s of sessions) await s.release();
  const inBodies = (g: typeof model.graph) => countNodes(g) - g.nodes.length;
  const [dOrig, dOpt, aOrig, aOpt] = timing.p50.map((x) => x.toFixed(3));
  const sec = (x: number) => x.toFixed(2);
  rows.push(
    `| ${m.name} | ${inputs.value.source} | ${o.nodesBefore} (${inBodies(model.graph)}) ` +
      `| ${o.nodesAfter} (${inBodies(o.model.graph)}) | ${rel(o.verdict)} | ${rel(f.verdict)} ` +
      `| ${dOrig} / ${dOpt} = ${timing.ratio[0].toFixed(3)}× | ${aOrig} / ${aOpt} = ${timing.ratio[1].toFixed(3)}× ` +
      `| ${sec((t1 - t0) / 1000)} / ${sec((t2 - t1) / 1000)} / ${sec(o.seconds)} / ${sec(f.seconds)} |`,
  );
  for (const b of f.bodies) {
    const what = b.converted ? `converted (model rel. L2 ${b.relL2?.toExponential(1)})` : `kept float32: ${b.why}`;
    notes.push(`${m.name}: FP16 body ${b.node || b.opType}.${b.attribute} ${what}`);
  }
  console.log(rows[rows.length - 1]);
}

const table = [
  `Generated by \`make bench-corpus\` (\`node dist/bench/corpus.js --runs ${runs}\`) ` +
    `on ${new Date().toISOString().slice(0, 10)}, ` +
    `onnxruntime-node ${ortVersion()},`,
  `one intra-op thread, on the shared 2-core development machine at a load average of ${loadavg()[0]?.toFixed(1)} ` +
    '(latencies, and ratios within about ±5%, move with its load).',
  '',
  '| model | inputs | nodes before (in bodies) | nodes after (in bodies) | optimized rel. L2 | FP16 rel. L2 ' +
    '| ORT `disabled` p50 ms, original / optimized = paired ratio ' +
    '| ORT `all` p50 ms, original / optimized = paired ratio ' +
    '| seconds: import / validate / optimize / fp16 |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ...rows,
  '',
  ...notes.map((n) => `- ${n}`),
].join('\n');
if (args.write) {
  const doc = await readFile(args.write, 'utf8');
  const begin = '<!-- corpus-table -->';
  const end = '<!-- /corpus-table -->';
  const at = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (at < 0 || to < 0) throw new Error(`${args.write} has no ${begin} … ${end} markers`);
  await writeFile(args.write, `${doc.slice(0, at + begin.length)}\n${table}\n${doc.slice(to)}`);
  console.log(`wrote the table into ${args.write}`);
} else {
  console.log(`\n${table}`);
}
