/**
 * The benchmark on real third-party models (test/corpus): an OCR classifier (PaddleOCR, dynamic N/H/W, a
 * [N, 2] class-score output) and a voice-activity detector (Silero legacy: an int64 scalar `sr`, state inputs
 * [2, batch, 64] whose batch is not the leading dimension, If subgraphs). onnxruntime-node measures every
 * input fed; PyTorch, which does not cover their operators, is skipped with the list of what it lacks.
 */
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDataFiles } from '../../../onnx/inputs/index.js';
import { runTensorsOnce } from '../../../onnx/ort.js';
import { readModelFile } from '../../../onnx/serde.js';
import { decodeTensorFile, tensorValues } from '../../../onnx/tensor.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { benchInputs } from '../../../measure/feeds.js';
import { runBenchmark } from '../../../stages/benchmark/run-bench.js';
import { realModels } from '../../corpus/models.js';
import { fromRoot } from '../../repo-root.js';
import { benchConfig, kitSections } from '../../../stages/benchmark/kits.js';

const log = { info: () => undefined, warn: () => undefined };
const config = benchConfig({
  bench: {
    warmup: 1,
    runs: 12,
    max_seconds: 600,
    batch_sizes: [1, 2],
    engines: ['ort', 'torch-eager'],
    precisions: ['fp32'],
  },
});

test('OCR: every batch measured on ort with its resolved shape; top-1 judged on the class scores', async () => {
  const [ocr] = realModels('ppocr_mobile_v2_cls');
  const dims = { 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 };
  const r = await runBenchmark({
    config,
    ...kitSections({}),
    artifacts: { model: ocr!.file, source: ocr!.file },
    workDir: await mkdtemp(join(tmpdir(), 'ef-real-')),
    exec,
    log,
    inputs: { dims },
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(r.value.model.inputs, [{ name: 'x', dtype: 'float32', shape: ['N', 3, 48, 192] }]);
  const ort = r.value.measurements.filter((m) => m.engine === 'ort');
  assert.deepEqual(
    ort.map((m) => m.batch),
    [1, 2],
  );
  for (const m of ort) {
    assert.equal(m.sampling?.n, 12);
    // The reference is the same file at level disabled on one thread: only onnxruntime's fusions differ.
    assert.ok(m.correctness?.ok && m.correctness.relL2 < 1e-5, JSON.stringify(m.correctness));
    assert.equal(m.correctness?.top1, 1, 'a [N, 2] output is a class-score vector: top-1 is judged');
  }
  const torch = r.value.measurements.filter((m) => m.engine === 'torch-eager');
  if (torch.length === 0) return assert.match(r.value.skipped.map((s) => s.reason).join(), /torch not importable/);
  for (const m of torch)
    assert.ok(
      m.correctness?.ok && m.correctness.top1 === 1,
      `PyTorch runs the OCR classifier: ${JSON.stringify(m.correctness)}`,
    );
});

test('PyTorch runs the models whose operators it covers (Slice, ReduceMean, Pow, Sqrt, Log, Clip…)', async () => {
  const cases = {
    ppocr_v4_rec: { dims: { 'p2o.DynamicDimension.1': 160 } },
    oww_melspectrogram: { dims: { samples: 8000 } },
  };
  const one = benchConfig({
    bench: { warmup: 0, runs: 1, batch_sizes: [1], engines: ['ort', 'torch-eager'], precisions: ['fp32'] },
  });
  for (const [name, inputs] of Object.entries(cases)) {
    const [m] = realModels(name);
    const r = await runBenchmark({
      config: one,
      ...kitSections({}),
      artifacts: { model: m!.file, source: m!.file },
      workDir: await mkdtemp(join(tmpdir(), 'ef-real-')),
      exec,
      log,
      inputs,
    });
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const torch = r.value.measurements.find((x) => x.engine === 'torch-eager');
    if (!torch) return assert.match(r.value.skipped.map((s) => s.reason).join(), /torch not importable/);
    // FP32 against onnxruntime: summation order only (measured 2.7e-6 and 2.3e-7), within the 1e-4 tolerance.
    assert.ok(torch.correctness?.ok && torch.correctness.relL2 < 1e-5, `${name}: ${JSON.stringify(torch.correctness)}`);
  }
});

test('VAD: int64 scalar and state inputs fed at every batch; no top-1 for [N, 1]; torch names If', async () => {
  const [vad] = realModels('silero_vad_legacy');
  const r = await runBenchmark({
    config,
    ...kitSections({}),
    artifacts: { model: vad!.file, source: vad!.file },
    workDir: await mkdtemp(join(tmpdir(), 'ef-real-')),
    exec,
    log,
    inputs: { dims: { sequence: 512 }, inputs: { sr: { value: 16000 } } },
  });
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(r.value.model.inputs, [
    { name: 'input', dtype: 'float32', shape: ['N', 512] },
    { name: 'sr', dtype: 'int64', shape: [] },
    { name: 'h', dtype: 'float32', shape: [2, 'N', 64] },
    { name: 'c', dtype: 'float32', shape: [2, 'N', 64] },
  ]);
  const ort = r.value.measurements.filter((m) => m.engine === 'ort');
  assert.deepEqual(
    ort.map((m) => m.batch),
    [1, 2],
  );
  for (const m of ort) {
    assert.ok(m.correctness && m.correctness.relL2 === 0 && m.correctness.maxAbs === 0);
    assert.equal(m.correctness.top1, undefined, 'a speech probability has no class to agree on');
  }
  const torch = r.value.skipped.find((s) => s.engine === 'torch-eager');
  assert.ok(torch);
  if (!/torch not importable/.test(torch.reason))
    assert.match(torch.reason, /does not cover 2 operators of this model: Equal \(1 node\), If \(1 node\)/);
});

test('check data: its batch is fed the real tensors (reproducing the recorded outputs), others seeded', async () => {
  const [vad] = realModels('silero_vad_legacy');
  const dir = fromRoot('configs/examples/data/silero_vad_legacy/test_data_set_0');
  const files = await checkDataFiles(dir);
  assert.ok(files.ok, files.ok ? '' : files.error);
  const model = await readModelFile(vad!.file);
  assert.ok(model.ok);
  const inputs = await benchInputs(
    model.value,
    { dims: { sequence: 512 }, inputs: { sr: { value: 16000 } } },
    0,
    files.value,
  );
  assert.ok(inputs.ok, inputs.ok ? '' : inputs.error);
  const recorded = await decodeTensorFile(join(dir, 'input_0.pb'));
  assert.ok(recorded.ok);
  const checkBatch = recorded.value.dims[0]!;
  assert.equal(inputs.value.checkBatch, checkBatch);
  const atCheck = inputs.value.feeds(checkBatch);
  assert.ok(atCheck.ok);
  const values = tensorValues(recorded.value);
  assert.ok(values.ok);
  assert.deepEqual(
    Array.from(atCheck.value['input']!.data as Float32Array),
    Array.from(values.value as Float32Array),
    'the real audio is fed',
  );
  const other = inputs.value.feeds(checkBatch + 1);
  assert.ok(other.ok);
  assert.deepEqual(
    other.value['input']!.dims,
    [checkBatch + 1, 512],
    'another batch gets seeded values of its own shape',
  );
  // The real data means something: onnxruntime on it reproduces the recorded output within float32 rounding.
  const out = await runTensorsOnce(vad!.file, atCheck.value);
  const expected = await decodeTensorFile(join(dir, 'output_0.pb'));
  assert.ok(expected.ok);
  const want = tensorValues(expected.value);
  assert.ok(want.ok);
  const got = out[model.value.graph.outputs[0]!.name]!.data as Float32Array;
  const diff = Math.max(...Array.from(got, (v, i) => Math.abs(v - Number((want.value as Float32Array)[i]))));
  assert.ok(diff < 1e-5, `recorded output reproduced (max abs ${diff})`);
});
