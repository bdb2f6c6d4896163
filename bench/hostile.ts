/**
 * `make bench-hostile`: the worst case of each class of careless or hostile input (issue 14), run through the
 * shipped CLI, with its exit code, wall time and peak RSS against the budget (≤ 300 MB, ≤ 5 s each). Each case
 * is refused; what is measured is that refusing it stays cheap, whatever its size.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../pipeline/exec.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '').replace(/\/dist$/, '');
const dir = mkdtempSync(join(tmpdir(), 'ef-bench-hostile-'));
const config = join(dir, 'ci.yaml');
writeFileSync(config, readFileSync(join(root, 'configs/ci.yaml')));
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const RSS_MB = 300;
const WALL_S = 5;

interface Case {
  klass: string;
  what: string;
  args: string[];
}

function bomb(): string {
  const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
  for (let i = 1; i < 12; i++) levels.push(`l${i}: &l${i} [${Array(9).fill(i === 1 ? '*a' : `*l${i - 1}`).join(', ')}]`);
  return `${levels.join('\n')}\n`;
}

function cases(): Case[] {
  // The most items the size limit lets through: 32 000 one-digit batch sizes in just under 64 KiB.
  const items = `${'1,'.repeat(31_999)}1`;
  mkdirSync(join(dir, 'artifacts', 'latest'), { recursive: true });
  writeFileSync(join(dir, 'artifacts-file'), 'not a folder');
  const measurement = { engine: 'ort', precision: 'fp32', batch: 1, artifact: 'm.onnx', settings: {}, stats: { min: 1, p50: 1, max: 1 }, samplesMs: Array(1000).fill(1.5) };
  const baseline = JSON.stringify({ schema: 1, measurements: Array(3800).fill(measurement) }).replace(/\]\}$/, ', null]}');
  return [
    { klass: 'config bytes', what: '50 MB config (2.5 M batch sizes)', args: ['--config', file('huge.yaml', `bench:\n  batch_sizes: [${'1,'.repeat(2_500_000)}1]\n`)] },
    { klass: 'config arrays', what: `32 000 batch sizes in ${(items.length / 1e3).toFixed(0)} KB`, args: ['--config', file('many.yaml', `bench:\n  batch_sizes: [${items}]\n`)] },
    { klass: 'config arrays', what: '--set of 120 KB (60 000 batch sizes)', args: ['--config', config, '--set', `bench.batch_sizes=[${'1,'.repeat(59_999)}1]`] },
    { klass: 'YAML aliases', what: 'alias bomb, 9^12 leaves', args: ['--config', file('bomb.yaml', bomb())] },
    { klass: 'non-finite', what: '--set model.seed=1e400', args: ['--config', config, '--set', 'model.seed=1e400'] },
    { klass: 'prototype keys', what: '__proto__ in the file', args: ['--config', file('proto.yaml', 'model:\n  __proto__:\n    x: 1\n')] },
    { klass: 'model budget', what: 'num_classes 1e9', args: ['--config', config, '--set', 'model.num_classes=1000000000'] },
    { klass: 'model budget', what: 'batch_size 1e9 (static)', args: ['--config', config, '--set', 'model.dynamic_batch=false', '--set', 'model.batch_size=1000000000'] },
    { klass: '--baseline', what: `damaged bench.json of ${(baseline.length / 1e6).toFixed(1)} MB`, args: ['--config', config, '--baseline', file('old.json', baseline)] },
    { klass: '--artifacts', what: 'a file', args: ['--config', config, '--artifacts', join(dir, 'artifacts-file')] },
    { klass: 'latest/', what: 'a real folder', args: ['--config', config, '--artifacts', join(dir, 'artifacts')] },
    { klass: 'docker image', what: 'trt.docker.image=--privileged', args: ['--config', config, '--set', 'trt.docker.image=--privileged'] },
    { klass: 'usage', what: '--precision without a value', args: ['--config', config, '--precision'] },
  ];
}

const rssFile = join(dir, 'rss');
const rows: string[][] = [['class', 'case', 'exit', 'wall s', 'peak RSS MB', 'within budget']];
let worst = { wall: 0, rss: 0 };
for (const c of cases()) {
  writeFileSync(rssFile, '');
  const r = await exec(process.execPath, ['-r', join(root, 'bench/peak-rss.cjs'), join(root, 'pipeline.mjs'), 'bench', ...c.args], { cwd: dir, env: { PEAK_RSS_FILE: rssFile } });
  const rss = Math.max(0, ...readFileSync(rssFile, 'utf8').split('\n').filter(Boolean).map(Number)) / 1e6;
  const wall = r.ms / 1000;
  worst = { wall: Math.max(worst.wall, wall), rss: Math.max(worst.rss, rss) };
  const line = r.stderr.trim().split('\n');
  const ok = (r.exitCode === 1 || r.exitCode === 2) && line.length === 1 && !/internal error/.test(r.stderr) && rss <= RSS_MB && wall <= WALL_S;
  rows.push([c.klass, c.what, String(r.exitCode), wall.toFixed(2), rss.toFixed(0), ok ? 'yes' : `NO: ${line.slice(0, 2).join(' | ')}`]);
}
rmSync(dir, { recursive: true, force: true });
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(`bench-hostile: each case refused through \`node pipeline.mjs bench\`; budget ≤ ${RSS_MB} MB peak RSS, ≤ ${WALL_S} s wall`);
for (const r of rows) console.log(`  ${r.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`);
console.log(`  worst: ${worst.wall.toFixed(2)} s wall, ${worst.rss.toFixed(0)} MB peak RSS`);
