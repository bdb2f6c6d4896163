/**
 * `make bench-build`: how long building and validating MobileNetV2 takes in-process, and how the whole
 * `node` process compares with the Python path to the same file (torchvision + torch.onnx.export).
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

const RUNS = 7;
/** Whole-process pairs, ours then Python's, alternating so that a change in the machine's load hits both. */
const PAIRS = 5;

async function inProcess(file: string): Promise<{ build: number; validate: number; total: number }> {
  const build: number[] = [],
    validate: number[] = [],
    total: number[] = [];
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

const dir = await mkdtemp(join(tmpdir(), 'ef-bench-build-'));
try {
  const t = await inProcess(join(dir, 'in-process.onnx'));
  console.log(
    `in-process, median of ${RUNS}: build+write ${t.build.toFixed(1)} ms, validate ${t.validate.toFixed(1)} ms, ` +
      `total ${t.total.toFixed(1)} ms (target ≤ 250 ms)`,
  );

  const self = new URL(import.meta.url).pathname.replace(/build\.(ts|js)$/, 'build-one.$1');
  const ours = [process.execPath, [...process.execArgv, self, join(dir, 'ours.onnx')]] as const;
  const python = [
    '/usr/bin/python3',
    [
      '-c',
      [
        'import sys, torch, torchvision',
        'm = torchvision.models.mobilenet_v2().eval()',
        'torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=17,',
        "                  input_names=['input'], output_names=['output'])",
      ].join('\n'),
      join(dir, 'torch.onnx'),
    ],
  ] as const;
  const oursMs: number[] = [],
    pythonMs: number[] = [];
  for (let p = 0; p < PAIRS; p++) {
    const a = await exec(...ours);
    const b = await exec(...python);
    const failed = [a, b].find((r) => r.exitCode !== 0);
    if (failed) {
      const tail = (failed.spawnError ?? failed.stderr).trim().split('\n').slice(-2).join(' | ');
      console.log(
        `whole-process comparison not run: ${failed.command} exited ${failed.exitCode ?? failed.signal}: ${tail}`,
      );
      process.exit(1);
    }
    oursMs.push(a.ms);
    pythonMs.push(b.ms);
  }
  const ratios = oursMs.map((o, i) => pythonMs[i]! / o).sort((x, y) => x - y);
  const [ourMedian, pythonMedian] = [median(oursMs), median(pythonMs)];
  console.log(
    `whole process, median of ${PAIRS} alternating pairs: enginefoundry ${ourMedian.toFixed(0)} ms, ` +
      `torch.onnx.export ${pythonMedian.toFixed(0)} ms → ${(pythonMedian / ourMedian).toFixed(1)}× faster ` +
      `(target ≥ 10×); per pair ${ratios.map((r) => r.toFixed(1)).join(', ')}×`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
