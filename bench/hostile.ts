/**
 * `make bench-hostile`: the worst case of each class of careless or hostile input (issue 14), run through the
 * shipped CLI, with its exit code, wall time and peak RSS against the budget (≤ 300 MB, ≤ 5 s each). Each case
 * is refused; what is measured is that refusing it stays cheap, whatever its size.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exec } from '../pipeline/execute/exec.js';

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
  for (let i = 1; i < 12; i++) {
    const ref = i === 1 ? '*a' : `*l${i - 1}`;
    levels.push(`l${i}: &l${i} [${Array(9).fill(ref).join(', ')}]`);
  }
  return `${levels.join('\n')}\n`;
}

/** A bench.json just under the 16 MB limit whose last measurement is damaged. */
function damagedBaseline(): string {
  const measurement = {
    engine: 'ort',
    precision: 'fp32',
    batch: 1,
    artifact: 'm.onnx',
    settings: {},
    stats: { min: 1, p50: 1, max: 1 },
    samplesMs: Array(1000).fill(1.5),
  };
  return JSON.stringify({ schema: 1, measurements: Array(3800).fill(measurement) }).replace(/\]\}$/, ', null]}');
}

const c = (klass: string, what: string, ...args: string[]): Case => ({ klass, what, args });
const withConfig = (name: string, text: string) => ['--config', file(name, text)];
const batchSizes = (items: string) => `bench:\n  batch_sizes: [${items}]\n`;
const sets = (...s: string[]) => ['--config', config, ...s.flatMap((x) => ['--set', x])];

function cases(): Case[] {
  // The most items the size limit lets through: 32 000 one-digit batch sizes in just under 64 KiB.
  const items = `${'1,'.repeat(31_999)}1`;
  mkdirSync(join(dir, 'artifacts', 'latest'), { recursive: true });
  writeFileSync(join(dir, 'artifacts-file'), 'not a folder');
  const baseline = damagedBaseline();
  return [
    c(
      'config bytes',
      '50 MB config (2.5 M batch sizes)',
      ...withConfig('huge.yaml', batchSizes(`${'1,'.repeat(2_500_000)}1`)),
    ),
    c('config arrays', '32 000 batch sizes in 64 KB', ...withConfig('many.yaml', batchSizes(items))),
    c('config arrays', '--set of 120 KB (60 000 batch sizes)', ...sets(`bench.batch_sizes=[${'1,'.repeat(59_999)}1]`)),
    c('YAML aliases', 'alias bomb, 9^12 leaves', ...withConfig('bomb.yaml', bomb())),
    c('non-finite', '--set model.seed=1e400', ...sets('model.seed=1e400')),
    c('prototype keys', '__proto__ in the file', ...withConfig('proto.yaml', 'model:\n  __proto__:\n    x: 1\n')),
    c('model budget', 'num_classes 1e9', ...sets('model.num_classes=1000000000')),
    c('model budget', 'batch_size 1e9 (static)', ...sets('model.dynamic_batch=false', 'model.batch_size=1000000000')),
    c(
      '--baseline',
      `damaged bench.json of ${(baseline.length / 1e6).toFixed(1)} MB`,
      '--config',
      config,
      '--baseline',
      file('old.json', baseline),
    ),
    c('--artifacts', 'a file', '--config', config, '--artifacts', join(dir, 'artifacts-file')),
    c('latest/', 'a real folder', '--config', config, '--artifacts', join(dir, 'artifacts')),
    c('docker image', 'trt.docker.image=--privileged', ...sets('trt.docker.image=--privileged')),
    c('usage', '--precision without a value', '--config', config, '--precision'),
  ];
}

const rssFile = join(dir, 'rss');

/** One case through the CLI: its exit, wall time, peak RSS, and whether it was refused in one line within budget. */
async function measure(k: Case): Promise<{ row: string[]; wall: number; rss: number }> {
  writeFileSync(rssFile, '');
  const args = ['-r', join(root, 'bench/peak-rss.cjs'), join(root, 'pipeline.mjs'), 'bench', ...k.args];
  const r = await exec(process.execPath, args, { cwd: dir, env: { PEAK_RSS_FILE: rssFile } });
  const rss = Math.max(0, ...readFileSync(rssFile, 'utf8').split('\n').filter(Boolean).map(Number)) / 1e6;
  const wall = r.ms / 1000;
  const lines = r.stderr.trim().split('\n');
  const refused = (r.exitCode === 1 || r.exitCode === 2) && lines.length === 1 && !/internal error/.test(r.stderr);
  const verdict = refused && rss <= RSS_MB && wall <= WALL_S ? 'yes' : `NO: ${lines.slice(0, 2).join(' | ')}`;
  return { row: [k.klass, k.what, String(r.exitCode), wall.toFixed(2), rss.toFixed(0), verdict], wall, rss };
}

const rows: string[][] = [['class', 'case', 'exit', 'wall s', 'peak RSS MB', 'within budget']];
let worst = { wall: 0, rss: 0 };
for (const k of cases()) {
  const m = await measure(k);
  rows.push(m.row);
  worst = { wall: Math.max(worst.wall, m.wall), rss: Math.max(worst.rss, m.rss) };
}
rmSync(dir, { recursive: true, force: true });
const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
console.log(
  `bench-hostile: each case refused through \`node pipeline.mjs bench\`; budget ≤ ${RSS_MB} MB, ≤ ${WALL_S} s`,
);
for (const r of rows) console.log(`  ${r.map((v, i) => v.padEnd(widths[i]!)).join('  ')}`);
console.log(`  worst: ${worst.wall.toFixed(2)} s wall, ${worst.rss.toFixed(0)} MB peak RSS`);
