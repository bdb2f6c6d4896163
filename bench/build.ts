/**
 * `make bench-build`: how long building and validating MobileNetV2 takes in-process, and how the whole
 * `node` process compares with the Python path to the same file (torchvision + torch.onnx.export).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel } from '../onnx/serde.js';
import { validateModel } from '../onnx/validate/index.js';
import { defaults } from '../stages/build/config.js';
import { buildMobileNetV2 } from '../stages/build/mobilenetv2.js';
import { median, timeProcess } from './timing.js';

const RUNS = 7;

function inProcess(): { build: number; validate: number; total: number } {
  const build: number[] = [], validate: number[] = [], total: number[] = [];
  for (let r = 0; r < RUNS; r++) {
    const t0 = performance.now();
    const model = buildMobileNetV2(defaults);
    encodeModel(model);
    const t1 = performance.now();
    const report = validateModel(model);
    const t2 = performance.now();
    if (!report.ok) throw new Error(`Internal error: the built model does not validate: ${JSON.stringify(report.errors[0])}`);
    build.push(t1 - t0); validate.push(t2 - t1); total.push(t2 - t0);
  }
  return { build: median(build), validate: median(validate), total: median(total) };
}

const dir = await mkdtemp(join(tmpdir(), 'ef-bench-build-'));
try {
  const t = inProcess();
  console.log(`in-process, median of ${RUNS}: build+encode ${t.build.toFixed(1)} ms, validate ${t.validate.toFixed(1)} ms, total ${t.total.toFixed(1)} ms (target ≤ 250 ms)`);

  const self = new URL(import.meta.url).pathname.replace(/build\.(ts|js)$/, 'build-one.$1');
  const ours = await timeProcess(process.execPath, [...process.execArgv, self, join(dir, 'ours.onnx')], 3);
  const python = await timeProcess('/usr/bin/python3', ['-c', [
    'import sys, torch, torchvision',
    'm = torchvision.models.mobilenet_v2().eval()',
    "torch.onnx.export(m, torch.randn(1, 3, 224, 224), sys.argv[1], opset_version=17, input_names=['input'], output_names=['output'])",
  ].join('\n'), join(dir, 'torch.onnx')], 3);
  if (!ours.ok || !python.ok) {
    console.log(`whole-process comparison not run: ${!ours.ok ? ours.error : ''} ${!python.ok ? python.error : ''}`.trim());
  } else {
    console.log(`whole process, median of 3: enginefoundry ${ours.value.ms.toFixed(0)} ms, torch.onnx.export ${python.value.ms.toFixed(0)} ms → ${(python.value.ms / ours.value.ms).toFixed(1)}× faster (target ≥ 10×)`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
