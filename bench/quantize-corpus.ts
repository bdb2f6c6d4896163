/**
 * `make bench-quantize-corpus`: every real model of the corpus through `enginefoundry quantize` (its
 * configs/examples config: calibration folder or check data), then, where it quantized, the INT8 and FP32 models
 * timed round-robin on onnxruntime-node (level all, one intra-op thread, batch 1, the check data or seeded
 * inputs the config gives). Prints one row per model: what the stage did (quantized, with N layers kept float,
 * or declined with its reason), the relative L2 its check measured, and the p50 ratio FP32 / INT8.
 * usage: node dist/bench/quantize-corpus.js [--runs N] [model …]
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { checkFeeds } from '../onnx/inputs/index.js';
import { openSession, ortFeeds, type Session } from '../onnx/ort.js';
import { readModelFile } from '../onnx/serde.js';
import { exec } from '../pipeline/execute/exec.js';
import { inputsConfig } from '../source/config.js';
import { realModelNames } from '../test/corpus/models.js';
import { fromRoot } from '../test/repo-root.js';

const { values: args, positionals } = parseArgs({
  options: { runs: { type: 'string', default: '50' } },
  allowPositionals: true,
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

async function speed(dir: string, config: string): Promise<string> {
  const model = await readModelFile(join(dir, 'model.opt.onnx'));
  if (!model.ok) return model.error;
  const cfg = inputsConfig(parse(await readFile(config, 'utf8')) as Record<string, unknown>);
  const feeds = checkFeeds(model.value, cfg, { seed: 1, batch: 1 });
  if (!feeds.ok) return feeds.error;
  const options = { intraOpThreads: 1 };
  const sessions: Array<[string, Session]> = [
    ['fp32', await openSession(join(dir, 'model.opt.onnx'), options)],
    ['int8', await openSession(join(dir, 'model.int8.onnx'), options)],
  ];
  const times = new Map<string, number[]>([
    ['fp32', []],
    ['int8', []],
  ]);
  const feed = ortFeeds(feeds.value.feeds);
  for (const [, s] of sessions) for (let i = 0; i < 3; i++) await s.run(feed);
  for (let r = 0; r < Number(args.runs); r++)
    for (let k = 0; k < 2; k++) {
      const [name, s] = sessions[(r + k) % 2] as [string, Session];
      const t0 = performance.now();
      await s.run(feed);
      times.get(name)?.push(performance.now() - t0);
    }
  for (const [, s] of sessions) await s.release();
  const f = median(times.get('fp32')!);
  const q = median(times.get('int8')!);
  return `${f.toFixed(3)} / ${q.toFixed(3)} ms = ${(f / q).toFixed(2)}×`;
}

const root = await mkdtemp(join(tmpdir(), 'ef-qcorpus-'));
let quantized = 0;
const names = positionals.length ? positionals : realModelNames;
console.log(
  `| model | quantize:int8 | rel. L2 (check) | layers int8 / kept float | ORT p50 FP32 / INT8, batch 1 | s |`,
);
console.log('| --- | --- | --- | --- | --- | --- |');
try {
  for (const name of names) {
    const config = fromRoot('configs/examples', `${name}.yaml`);
    const artifacts = join(root, name);
    const t0 = performance.now();
    const r = await exec(
      process.execPath,
      [fromRoot('pipeline.mjs'), 'quantize', '--config', config, '--artifacts', artifacts],
      { timeoutMs: 1_800_000 },
    );
    const s = ((performance.now() - t0) / 1000).toFixed(0);
    const manifest = JSON.parse(await readFile(join(artifacts, 'latest', 'manifest.json'), 'utf8'));
    const stage = manifest.stages['quantize:int8'];
    if (r.exitCode !== 0 || stage?.status !== 'built') {
      console.log(
        `| ${name} | ${stage?.status ?? 'exit ' + r.exitCode}: ${stage?.reason ?? r.stderr.slice(-200)} | | | | ${s} |`,
      );
      continue;
    }
    quantized++;
    const q = JSON.parse(await readFile(join(artifacts, 'latest', 'quantize.json'), 'utf8'));
    const kept = q.kept_float.length
      ? `${q.kept_float.length} kept float (${q.kept_float.map((k: { node: string }) => k.node).join(', ')})`
      : 'within budget';
    console.log(
      `| ${name} | quantized, ${kept} | ${q.check.worst_rel_l2.toExponential(1)} | ` +
        `${q.weights} / ${q.kept_float.length} | ${await speed(join(artifacts, 'latest'), config)} | ${s} |`,
    );
  }
  console.log(
    `\n${quantized} of ${names.length} quantized (target ≥ 8 of 13); load average ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
} finally {
  await rm(root, { recursive: true, force: true });
}
