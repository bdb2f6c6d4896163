/**
 * `make bench-build`: how long building and validating MobileNetV2 takes in-process, and how the whole
 * `node` process compares with the Python paths to the same network: torch 1.13's TorchScript exporter
 * (Debian's torch and torchvision) and torch 2.13's default exporter (torch.export + onnxscript, the venv's).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeModelFile } from '../onnx/serde.js';
import { validateModel } from '../onnx/validate/index.js';
import { defaults } from '../stages/build/config.js';
import { buildMobileNetV2 } from '../stages/build/mobilenetv2.js';
import { exec } from '../pipeline/execute/exec.js';
import { median } from './timing.js';
import { fromRoot } from '../test/repo-root.js';

const RUNS = 7;
/** Whole-process rounds: ours, then each Python exporter, alternating so that a change in load hits all. */
const ROUNDS = 5;

async function inProcess(file: string): Promise<{ build: number; validate: number; total: number }> {
  const build: number[] = [];
  const validate: number[] = [];
  const total: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const model = buildMobileNetV2(defaults);
    await writeModelFile(file, model);
    const t1 = performance.now();
    const report = validateModel(model);
    const t2 = performance.now();
    if (!report.ok)
      throw new Error(`Internal error: the built model does not validate: ${JSON.stringify(report.errors[0])}`);
    build.push(t1 - t0);
    validate.push(t2 - t1);
    total.push(t2 - t0);
  }
  return { build: median(build), validate: median(validate), total: median(total) };
}

type Command = readonly [label: string, command: string, args: readonly string[]];

/** The yardstick of the seed: Debian's torch 1.13, torchvision's MobileNetV2, the TorchScript exporter. */
const torchScript13 = (out: string): Command => [
  'torch 1.13 torch.onnx.export (TorchScript, Debian)',
  '/usr/bin/python3',
  [
    '-c',
    [
      'import sys, torch, torchvision',
      'm = torchvision.models.mobilenet_v2().eval()',
      'torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=17,',
      "                  input_names=['input'], output_names=['output'])",
    ].join('\n'),
    out,
  ],
];

/** PyTorch 2 (the project's venv): torch.onnx.export's default in 2.13, torch.export + onnxscript. */
const dynamo213 = (out: string): Command => [
  'torch 2.13 torch.onnx.export (dynamo, .venv)',
  fromRoot('.venv/bin/python3'),
  [fromRoot('bench/export_mobilenetv2.py'), out],
];

/** Every command once per round, in turn, so that a change in the machine's load hits all of them. */
async function alternate(commands: Command[]): Promise<{ label: string; ms: number[] }[]> {
  const times = commands.map(([label]) => ({ label, ms: [] as number[] }));
  for (let p = 0; p < ROUNDS; p++) {
    for (const [i, [label, command, args]] of commands.entries()) {
      const r = await exec(command, args);
      if (r.exitCode !== 0) {
        const tail = (r.spawnError ?? r.stderr).trim().split('\n').slice(-2).join(' | ');
        console.log(`whole-process comparison not run: ${label} exited ${r.exitCode ?? r.signal}: ${tail}`);
        process.exit(1);
      }
      times[i]!.ms.push(r.ms);
    }
  }
  return times;
}

const dir = await mkdtemp(join(tmpdir(), 'ef-bench-build-'));
try {
  const t = await inProcess(join(dir, 'in-process.onnx'));
  console.log(
    `in-process, median of ${RUNS}: build+write ${t.build.toFixed(1)} ms, validate ${t.validate.toFixed(1)} ms, ` +
      `total ${t.total.toFixed(1)} ms (target ≤ 250 ms)`,
  );

  const self = new URL(import.meta.url).pathname.replace(/build\.(ts|js)$/, 'build-one.$1');
  const ours: Command = ['enginefoundry', process.execPath, [...process.execArgv, self, join(dir, 'ours.onnx')]];
  const rounds = await alternate([ours, torchScript13(join(dir, 'ts.onnx')), dynamo213(join(dir, 'dynamo.onnx'))]);
  const [ourMs, ...pythonMs] = rounds;
  console.log(`whole process, median of ${ROUNDS} alternating rounds (ours, then each exporter, in turn):`);
  console.log(`  enginefoundry ${median(ourMs!.ms).toFixed(0)} ms`);
  for (const p of pythonMs) {
    const ratios = p.ms.map((m, i) => m / ourMs!.ms[i]!).sort((x, y) => x - y);
    console.log(
      `  ${p.label} ${median(p.ms).toFixed(0)} ms → ours ${(median(p.ms) / median(ourMs!.ms)).toFixed(1)}× faster ` +
        `(target ≥ 10×); per round ${ratios.map((r) => r.toFixed(1)).join(', ')}×`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
