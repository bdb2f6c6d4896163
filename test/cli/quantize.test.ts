/**
 * quantize:int8 through the shipped CLI on a real corpus model (openWakeWord's "alexa" head, calibrated on its
 * calibration folder): the accuracy fallback puts back the layers it measured as most sensitive and names them;
 * the stage is cached by content; the benchmark measures INT8 on onnxruntime and skips PyTorch for it with a
 * reason; and every bad calibration folder is one line, exit 2, with nothing stored.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType } from '../../onnx/ir.js';
import { normalFloats } from '../../onnx/random.js';
import { encodeTensorBytes } from '../../onnx/serde.js';
import { makeTensor } from '../../onnx/tensor.js';
import { realModels } from '../corpus/models.js';
import { fromRoot } from '../repo-root.js';
import { assertOneLineError, readManifest, shippedCli } from './cli-kit.js';

realModels('oww_alexa');
const root = mkdtempSync(join(tmpdir(), 'ef-quantize-'));
const artifacts = join(root, 'artifacts');
const config = fromRoot('configs/examples/oww_alexa.yaml');
const INPUT = 'onnx::Flatten_0';

test('oww_alexa: within 5e-2 with the measured most sensitive layers kept float, then a cache hit', async () => {
  const r = await shippedCli(['quantize', '--config', config, '--artifacts', artifacts]);
  assert.equal(r.exitCode, 0, r.stderr);
  const stage = readManifest(artifacts).stages['quantize:int8'];
  assert.equal(stage?.status, 'built', stage?.reason);
  const q = JSON.parse(readFileSync(join(artifacts, 'latest', 'quantize.json'), 'utf8'));
  assert.deepEqual(q.calibration, { source: 'calibration folder', method: 'minmax', samples: 16 });
  assert.ok(q.check.worst_rel_l2 <= 0.05, `${q.check.worst_rel_l2}`);
  // Everything int8, the error is over budget (0.11 on its calibration sets), so layers went back.
  assert.ok(q.kept_float.length >= 1 && q.kept_float.length < 3, JSON.stringify(q.kept_float));
  for (const k of q.kept_float) assert.match(k.node, /^(Gemm|Relu|Sigmoid)_\d+$/, 'a node of the graph, by name');
  assert.ok(q.weights >= 1, 'at least one layer stays int8');
  const again = await shippedCli(['quantize', '--config', config, '--artifacts', artifacts]);
  assert.equal(again.exitCode, 0);
  assert.equal(readManifest(artifacts).stages['quantize:int8']?.status, 'cached');
});

// On its check data (32 rendered text lines): what the model was calibrated for. At other batches the benchmark
// pads with seeded noise, on which an INT8 model calibrated on text is rightly flagged (docs/quantize.md).
test('the benchmark measures INT8 on onnxruntime (ppocr_mobile_v2_cls), says why PyTorch does not', async () => {
  realModels('ppocr_mobile_v2_cls');
  const cls = fromRoot('configs/examples/ppocr_mobile_v2_cls.yaml');
  const args = ['--set', 'bench.runs=3', '--set', 'bench.max_seconds=1', '--set', 'bench.warmup=1'];
  // The compiled PyTorch engines are left out for time: two torch.compile runs of this model take minutes on
  // the CPU; test/torch/named-dims.test.ts builds and loads them on it.
  args.push('--set', 'bench.batch_sizes=[32]', '--set', 'bench.engines=[ort,torch-eager]');
  const r = await shippedCli(['bench', '--config', cls, '--artifacts', artifacts, ...args]);
  assert.equal(r.exitCode, 0, r.stderr);
  const bench = JSON.parse(readFileSync(join(artifacts, 'latest', 'bench.json'), 'utf8'));
  const int8 = bench.measurements.filter((m: { engine: string; precision: string }) => m.precision === 'int8');
  assert.ok(int8.length > 0 && int8.every((m: { engine: string }) => m.engine === 'ort'));
  assert.ok(
    int8.every((m: { correctness: { ok: boolean } }) => m.correctness.ok),
    JSON.stringify(int8[0]?.correctness),
  );
  const torch = bench.skipped.filter(
    (s: { engine: string; precision?: string }) => s.engine.startsWith('torch') && s.precision === 'int8',
  );
  assert.ok(torch.length > 0);
  const torchHere = !bench.skipped.some(
    (s: { kind: string; engine: string }) => s.engine.startsWith('torch') && s.kind === 'tool-unavailable',
  );
  if (torchHere) assert.match(torch[0].reason, /PyTorch runs the float graph/);
});

/** A calibration folder with one set holding `tensor`. */
function folder(name: string, tensor?: { name: string; dims: number[]; data: Float32Array }): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  if (!tensor) return dir;
  mkdirSync(join(dir, 'test_data_set_0'));
  writeFileSync(
    join(dir, 'test_data_set_0', 'input_0.pb'),
    encodeTensorBytes(makeTensor(tensor.name, DType.FLOAT, tensor.dims, tensor.data)),
  );
  return dir;
}

const good = (dims = [1, 16, 96]) =>
  normalFloats(
    dims.reduce((a, b) => a * b, 1),
    1,
  );
const withNaN = good();
withNaN[5] = Number.NaN;
const bad: Array<[string, string, string[], RegExp]> = [
  ['empty', folder('empty'), [], /holds no test_data_set_N folder/],
  [
    'wrong name',
    folder('name', { name: 'nope', dims: [1, 16, 96], data: good() }),
    [],
    /'nope' names no input of the model/,
  ],
  [
    'wrong shape',
    folder('shape', { name: INPUT, dims: [1, 15, 96], data: good([1, 15, 96]) }),
    [],
    /test_data_set_0: .*\b15\b.*16|16.*15/,
  ],
  ['NaN', folder('nan', { name: INPUT, dims: [1, 16, 96], data: withNaN }), [], /holds NaN or ±Inf/],
  [
    'outside model.inputs.X.range',
    folder('range', { name: INPUT, dims: [1, 16, 96], data: good() }),
    ['--set', `model.inputs.${INPUT}.range=[0,1]`],
    /outside model\.inputs\..*range \[0, 1\]/,
  ],
];

for (const [what, dir, more, re] of bad) {
  test(`a calibration folder with ${what}: one line, exit 2, nothing stored`, async () => {
    const out = join(root, `artifacts-${what.replace(/\W/g, '')}`);
    const r = await shippedCli([
      'quantize',
      '--config',
      config,
      '--artifacts',
      out,
      '--set',
      `quantize.calibration=${dir}`,
      ...more,
    ]);
    assertOneLineError(r, 2, re);
    assert.ok(!existsSync(join(out, 'latest', 'model.int8.onnx')), 'no model.int8.onnx');
    if (existsSync(join(out, 'latest', 'manifest.json'))) {
      const stage = readManifest(out).stages['quantize:int8'];
      assert.deepEqual(stage?.outputs ?? {}, {});
    }
  });
}
