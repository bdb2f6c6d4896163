/**
 * `make bench-gate`: the regression gate (stages/benchmark/baseline.ts, confirm.ts) on a busy machine. A
 * baseline is taken with no load added; then, ROUNDS times each, the unchanged config is measured again with a
 * CPU hog running (must pass), and a real ~3× slowdown, the same config with a larger input (168 px for 96: 3.06×
 * the pixels), with and without the hog (must fail). Each is a real `bench --baseline` through the CLI:
 * configs/ci.yaml's model on onnxruntime (PyTorch eager takes ~20 s a run here, so it is left out), 40 runs
 * per measurement. Prints every ratio the gate judged and the tally; GATE_KEEP=DIR keeps each run's bench.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { exec } from '../pipeline/execute/exec.js';
import type { BenchFile } from '../measure/result.js';

const root = new URL('../../', import.meta.url).pathname.replace(/\/$/, '').replace(/\/dist$/, '');
const ROUNDS = Number(process.env['GATE_ROUNDS'] ?? 10);
const artifacts = join(root, 'artifacts', 'bench-gate');
const common = ['--config', 'configs/ci.yaml', '--artifacts', artifacts, '--set', 'bench.engines=[ort]'];
const sets = (...s: string[]) => s.flatMap((x) => ['--set', x]);
const RUNS = sets('bench.runs=40', 'bench.max_seconds=5');
const SLOW = sets('model.input_size=168');
const baseline = join(root, 'artifacts', 'bench-gate-baseline.json');

/** One busy-looping process, a second job on the machine; it ends itself if this script goes away. */
const HOG = 'const p = process.ppid; for (let i = 0; ; i++) if (i % 1e8 === 0 && process.ppid !== p) process.exit();';
const hog = (): ChildProcess => spawn(process.execPath, ['-e', HOG], { stdio: 'ignore' });

async function bench(extra: string[]): Promise<{ exit: number; file?: BenchFile; stderr: string }> {
  const r = await exec(process.execPath, ['pipeline.mjs', 'bench', ...common, ...RUNS, ...extra], { cwd: root });
  const latest = join(artifacts, 'latest', 'bench.json');
  const regressed = /this run's bench\.json: (\S+bench\.regressed\.json)/.exec(r.stderr)?.[1];
  const path = r.exitCode === 0 ? latest : regressed;
  const file = path ? (JSON.parse(readFileSync(path, 'utf8')) as BenchFile) : undefined;
  return { exit: r.exitCode ?? -1, ...(file ? { file } : {}), stderr: r.stderr };
}

const ratios = (f: BenchFile | undefined): string =>
  (f?.baseline?.judged ?? [])
    .map((j) => {
      const [engine, precision, batch] = j.key.split(' ');
      const again = j.again ? ` again ${j.again.map((a) => a.toFixed(2)).join('/')}` : '';
      return `${engine} ${precision} ${batch} ${j.ratio.toFixed(2)} (≤${j.allowed.toFixed(2)})${again}`;
    })
    .join(' | ');

interface Scenario {
  name: string;
  extra: string[];
  hog: boolean;
  expect: 0 | 1;
}

const scenarios: Scenario[] = [
  { name: 'unchanged, CPU hog', extra: [], hog: true, expect: 0 },
  { name: '3× slower, quiet', extra: SLOW, hog: false, expect: 1 },
  { name: '3× slower, CPU hog', extra: SLOW, hog: true, expect: 1 },
];

const first = await bench([]);
if (first.exit !== 0 || !first.file) throw new Error(`the baseline run failed:\n${first.stderr}`);
await exec('cp', [join(artifacts, 'latest', 'bench.json'), baseline]);
console.log(`baseline (no load added, load ${loadavg()[0]!.toFixed(1)}): ${baseline}`);
for (const m of first.file.measurements)
  console.log(`  ${m.engine} ${m.precision} b${m.batch}: p50 ${m.stats.p50.toFixed(3)} ms`);
const tally: string[] = [];
for (const s of scenarios) {
  let right = 0;
  for (let i = 1; i <= ROUNDS; i++) {
    const h = s.hog ? hog() : undefined;
    const load = loadavg()[0]!.toFixed(1);
    const r = await bench([...s.extra, '--baseline', baseline]).finally(() => h?.kill());
    const verdict = r.exit === 0 ? 'pass' : r.exit === 1 ? 'FAIL' : `exit ${r.exit}`;
    if (r.exit === s.expect) right++;
    if (r.file && process.env['GATE_KEEP'])
      writeFileSync(join(process.env['GATE_KEEP'], `${s.name.replace(/\W+/g, '-')}-${i}.json`), JSON.stringify(r.file));
    console.log(`${s.name} #${i}: ${verdict} (load ${load}) ${ratios(r.file)}`);
  }
  tally.push(`${s.name}: ${right}/${ROUNDS} as expected (${s.expect === 0 ? 'pass' : 'fail'})`);
}
console.log(tally.join('\n'));
