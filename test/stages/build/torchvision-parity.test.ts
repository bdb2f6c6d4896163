import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runModelOnce } from '../../../onnx/ort.js';
import { normalFloats } from '../../../onnx/random.js';
import { encodeModel } from '../../../onnx/serde.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { defaults, type ModelConfig } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { fromRoot } from '../../repo-root.js';

const script = fromRoot('test', 'python', 'torchvision_parity.py');
const BATCH = 2;
// Same weights, same function: only the order of float32 sums differs between the two runtimes, which
// leaves a relative error around 1e-7; 1e-5 is two orders of margin and still catches any wrong layer.
const TOLERANCE = 1e-5;

const configs: [string, ModelConfig][] = [
  ['default (width 1.0, 224 px, 1000 classes, opset 17)', defaults],
  [
    'width 0.5, 160 px, 10 classes, opset 11, dynamic batch',
    { ...defaults, width_mult: 0.5, input_size: 160, num_classes: 10, opset: 11, seed: 7, dynamic_batch: true },
  ],
  [
    'width 1.4, 96 px, 37 classes, opset 13',
    { ...defaults, width_mult: 1.4, input_size: 96, num_classes: 37, opset: 13, seed: 3, batch_size: BATCH },
  ],
];

for (const [label, config] of configs) {
  test(`our MobileNetV2 computes torchvision's function: ${label}`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ef-parity-'));
    try {
      const model = encodeModel(buildMobileNetV2({ ...config, batch_size: config.dynamic_batch ? 1 : BATCH }));
      const input = normalFloats(BATCH * 3 * config.input_size ** 2, 42);
      const out = await runModelOnce(
        model,
        { input: { dims: [BATCH, 3, config.input_size, config.input_size], data: input } },
        { graphOptimizationLevel: 'disabled' },
      );
      const ours = out['output'];
      assert.ok(ours, 'the model has an output named "output"');
      assert.deepEqual(ours.dims, [BATCH, config.num_classes]);
      await writeFile(join(dir, 'model.onnx'), model);
      await writeFile(join(dir, 'input.bin'), input);
      await writeFile(join(dir, 'ours.bin'), ours.data);
      const r = await exec('/usr/bin/python3', [
        script,
        join(dir, 'model.onnx'),
        join(dir, 'input.bin'),
        join(dir, 'ours.bin'),
        String(config.width_mult),
        String(config.num_classes),
        String(BATCH),
        String(config.input_size),
      ]);
      assert.equal(r.exitCode, 0, r.stderr);
      const parity = JSON.parse(r.stdout) as { rel_l2: number; max_abs: number; ref_norm: number };
      console.log(
        `parity ${label}: rel L2 ${parity.rel_l2.toExponential(2)}, max abs ${parity.max_abs.toExponential(2)}`,
      );
      assert.ok(parity.ref_norm > 0, 'the reference output is not all zeros');
      assert.ok(parity.rel_l2 <= TOLERANCE, `relative L2 ${parity.rel_l2} exceeds ${TOLERANCE}`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
}
