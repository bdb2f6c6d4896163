/**
 * `bench --precision fp32` on the default config (configs/mobilenetv2.yaml: the full MobileNetV2 and every
 * default engine but the compiled PyTorch ones, whose minutes of compiling MobileNetV2 on two cores
 * test/torch/compiled-cpu.test.ts spends on a small net instead), kept quick with one batch size and the fewest
 * samples: nothing in FP16 or INT8 is built or measured, and every skip bench.json records has a kind and a reason that
 * is true on this machine.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import type { BenchFile } from '../../measure/result.js';
import { probeGpu } from '../../measure/gpu.js';
import { readManifest, shippedCli } from './cli-kit.js';

const OTHER_PRECISION_STAGES = [
  'convert:fp16',
  'quantize:int8',
  'engine:trt:fp16',
  'engine:torch-compile:fp16',
  'engine:torch-aoti:fp16',
  'engine:torch-fused:fp16',
];

test('bench --precision fp32 on the default model: no FP16 anywhere, only true skip reasons with kinds', async () => {
  const artifacts = join(mkdtempSync(join(tmpdir(), 'ef-precision-')), 'artifacts');
  const quick = ['bench.warmup=1', 'bench.runs=10', 'bench.max_seconds=1', 'bench.batch_sizes=[1]'];
  quick.push('bench.engines=[ort,torch-eager,trt]');
  const args = ['bench', '--precision', 'fp32', '--artifacts', artifacts];
  const r = await shippedCli([...args, ...quick.flatMap((s) => ['--set', s]), '--set', 'bench.ort.batch_sizes=[1]']);
  assert.equal(r.exitCode, 0, r.stderr);

  const stages = readManifest(artifacts).stages as Record<string, { status: string; reason?: string; cause?: string }>;
  for (const name of OTHER_PRECISION_STAGES) {
    const { status, cause, reason } = stages[name] ?? {};
    assert.deepEqual([status, cause, reason], ['skipped', 'excluded', 'left out by --precision fp32'], name);
  }
  const bench = JSON.parse(readFileSync(join(artifacts, 'latest', 'bench.json'), 'utf8')) as BenchFile;
  assert.deepEqual([...new Set(bench.measurements.map((m) => m.precision))], ['fp32'], 'nothing measured in FP16');
  assert.ok(bench.measurements.some((m) => m.engine === 'ort'));

  const [fp16, int8, ...others] = bench.skipped;
  for (const [excluded, precision] of [
    [fp16, 'fp16'],
    [int8, 'int8'],
  ] as const)
    assert.deepEqual(excluded, { engine: 'all', precision, kind: 'excluded', reason: 'left out by --precision fp32' });
  for (const s of others) assert.equal(s.precision, 'fp32', `only what was asked for is skipped: ${JSON.stringify(s)}`);
  const skip = (engine: string) => others.find((s) => s.engine === engine);
  // TensorRT: the same fact the engine stage's probe recorded, not a guess.
  const trt = skip('trt');
  const gpu = await probeGpu(exec);
  if (!gpu.ok) {
    assert.deepEqual(trt, { engine: 'trt', precision: 'fp32', kind: 'no-gpu', reason: gpu.error.message });
    assert.ok(stages['engine:trt:fp32']?.reason?.includes(gpu.error.message), stages['engine:trt:fp32']?.reason);
  } else if (trt) assert.ok(['tool-unavailable', 'no-model'].includes(trt.kind), JSON.stringify(trt));
  // PyTorch: torch.compile before torch 2 is the torch this machine has.
  const compile = skip('torch-compile');
  const torch = bench.environment.versions.torch;
  if (compile?.kind === 'tool-unavailable') {
    assert.ok(torch && Number(torch.split('.')[0]) < 2, `torch ${torch}`);
    assert.equal(compile.reason, `torch.compile needs torch >= 2 (found ${torch})`);
  }
  if (!torch) assert.equal(skip('torch-eager')?.kind, 'tool-unavailable');
  else
    assert.ok(
      bench.measurements.some((m) => m.engine === 'torch-eager'),
      'torch-eager measured in FP32',
    );
  assert.deepEqual(
    others.filter((s) => !['trt', 'torch-compile'].includes(s.engine)),
    torch ? [] : [skip('torch-eager')],
    'nothing else is skipped',
  );
});
