/**
 * The quantizer on a real network: a small MobileNetV2 (width 0.35, 96 px, our optimize passes applied) run
 * through onnxruntime-node. Tolerances: 8 bits per value move this network's outputs by about 1e-2 relative L2
 * (docs/quantize.md); 5e-2 (quantize.tolerance's default) fails a wrong scale, axis or zero point, which land
 * at 1e-1 and worse.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import ort from 'onnxruntime-node';
import { agreement } from '../../../onnx/compare.js';
import { DType, type Model } from '../../../onnx/ir.js';
import { activationTensors, calibrate, quantizeModel, type Sample } from '../../../onnx/quantize/index.js';
import { normalFloats } from '../../../onnx/random.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { encodeModel, readModelFile } from '../../../onnx/serde.js';
import { tensorValues } from '../../../onnx/tensor.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { defaults } from '../../../stages/build/config.js';
import { defaultPasses, passesByName } from '../../../stages/optimize/passes/index.js';

const SIZE = 96;
const model: Model = runPasses(
  buildMobileNetV2({ ...defaults, width_mult: 0.35, input_size: SIZE, num_classes: 100 }),
  await passesByName(defaultPasses),
).model;
const sample = (seed: number): Sample => ({
  input: { type: 'float32', dims: [1, 3, SIZE, SIZE], data: normalFloats(3 * SIZE * SIZE, seed) },
});
const samples = Array.from({ length: 8 }, (_, k) => sample(100 + k));

async function run(m: Model | Uint8Array, feeds: Sample): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(m instanceof Uint8Array ? m : encodeModel(m), { intraOpNumThreads: 1 });
  const out = await s.run({
    input: new ort.Tensor('float32', feeds['input']!.data as Float32Array, [1, 3, SIZE, SIZE]),
  });
  await s.release();
  return Object.values(out)[0]!.data as Float32Array;
}

const ranges = await calibrate(model, activationTensors(model), samples, { kind: 'minmax' });
assert.ok(ranges.ok, ranges.ok ? '' : ranges.error);
const quantized = quantizeModel(model, ranges.value, { activations: 'uint8' });
assert.ok(quantized.ok, quantized.ok ? '' : quantized.error);
const q = quantized.value;

test('the Q/DQ model agrees with float32 within 5e-2 relative L2 on inputs calibration never saw', async () => {
  for (const seed of [1, 2, 3]) {
    const a = agreement(await run(q.model, sample(seed)), await run(model, sample(seed)));
    assert.ok(
      a.relL2 < 5e-2 && a.relL2 > 1e-4,
      `seed ${seed}: relative L2 ${a.relL2} (0 would mean nothing was quantized)`,
    );
  }
});

/** The first Conv's weight in `qm`: per output channel, scale max |w| / levels, every channel reaching ±levels. */
function assertWeights(qm: Model, levels: number): void {
  const conv = model.graph.nodes.find((n) => n.opType === 'Conv')!;
  const w = model.graph.initializers.find((t) => t.name === conv.inputs[1])!;
  const dq = qm.graph.nodes.find((n) => n.opType === 'DequantizeLinear' && n.outputs[0] === `${w.name}_dequantized`)!;
  assert.deepEqual(
    dq.attributes.map((a) => [a.name, a.value]),
    [['axis', { kind: 'int', value: 0 }]],
  );
  const byName = (name: string) => qm.graph.initializers.find((t) => t.name === name)!;
  const values = tensorValues(byName(dq.inputs[0]!));
  const scales = tensorValues(byName(dq.inputs[1]!));
  const floats = tensorValues(w);
  assert.ok(values.ok && scales.ok && floats.ok);
  assert.equal(byName(dq.inputs[0]!).dtype, DType.INT8);
  const channels = w.dims[0]!;
  const per = floats.value.length / channels;
  assert.equal(scales.value.length, channels);
  for (let c = 0; c < channels; c++) {
    const slice = Array.from(floats.value.slice(c * per, (c + 1) * per) as Float32Array, Math.abs);
    const scale = scales.value[c] as number;
    assert.ok(Math.abs(scale - Math.max(...slice) / levels) < 1e-6 * scale + 1e-12);
    const q8: number[] = Array.from(values.value.slice(c * per, (c + 1) * per) as Int8Array);
    assert.equal(Math.max(...q8.map(Math.abs)), levels, `channel ${c} uses its full range`);
  }
}

test('weights per channel: ±63 under uint8 activations (no U8S8 saturation), ±127 under int8', () => {
  assertWeights(q.model, 63);
  const symmetric = quantizeModel(model, ranges.value, { activations: 'int8' });
  assert.ok(symmetric.ok, symmetric.ok ? '' : symmetric.error);
  assertWeights(symmetric.value.model, 127);
});

test("onnxruntime's optimizer turns the Q/DQ model into QLinearConv, QLinearAdd and QGemm", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-qdq-'));
  try {
    const path = join(dir, 'optimized.onnx');
    const s = await ort.InferenceSession.create(encodeModel(q.model), { optimizedModelFilePath: path });
    await s.release();
    const optimized = await readModelFile(path);
    assert.ok(optimized.ok);
    const count = (op: string) => optimized.value.graph.nodes.filter((n) => n.opType === op).length;
    const convs = model.graph.nodes.filter((n) => n.opType === 'Conv').length;
    assert.equal(count('QLinearConv'), convs, 'every convolution runs in int8');
    assert.equal(count('Conv'), 0);
    assert.ok(count('QLinearAdd') > 0 && count('QGemm') === 1, 'residual adds and the classifier too');
    assert.ok(count('DequantizeLinear') <= 1, 'at most the classifier output stays behind a DequantizeLinear');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ReLU6 after a convolution is folded into its uint8 output range, zero point 0', () => {
  assert.ok(q.stats.foldedActivations > 0);
  assert.equal(q.model.graph.nodes.filter((n) => n.opType === 'Clip').length, 0);
  const zps = q.model.graph.initializers.filter((t) => t.name.endsWith('_zero_point') && t.dtype === DType.UINT8);
  assert.ok(zps.some((t) => tensorValues(t).ok && (tensorValues(t) as { value: Uint8Array }).value[0] === 0));
});
