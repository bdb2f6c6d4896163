/**
 * Calibration on onnxruntime-node: min-max takes the extremes, the percentile method drops a rare outlier; and
 * the opset upgrade of a real opset-9 model (PaddleOCR's direction classifier) computes what the original does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { calibrate, upgradeOpset, type Sample } from '../../../onnx/quantize/index.js';
import { clipped } from '../../../onnx/quantize/calibrate.js';
import { normalFloats } from '../../../onnx/random.js';
import { opsetVersion } from '../../../onnx/rewrite/opset.js';
import { encodeModel, readModelFile } from '../../../onnx/serde.js';
import { agreement } from '../../../onnx/compare.js';
import { runTensorsOnce } from '../../../onnx/ort.js';
import { node, tiny } from '../rewrite/tiny-model.js';
import { realModels } from '../../corpus/models.js';

const relu = tiny({ inputs: { x: [1, 10000] }, outputs: ['y'], nodes: [node('Relu', ['x'], ['y'])] });
/** Standard normals with one value at 40: the outlier a percentile should ignore and min-max cannot. */
const data = normalFloats(10000, 3);
data[17] = 40;
const samples: Sample[] = [{ x: { type: 'float32', dims: [1, 10000], data } }];

test('min-max spans the outlier; the 99.9th percentile keeps the bulk (about ±3.1 for normals)', async () => {
  const minmax = await calibrate(relu, ['x', 'y'], samples, { kind: 'minmax' });
  const pct = await calibrate(relu, ['x', 'y'], samples, { kind: 'percentile', percentile: 99.9 });
  assert.ok(minmax.ok && pct.ok);
  assert.equal(minmax.value.get('x')?.hi, 40);
  assert.equal(minmax.value.get('y')?.lo, 0, 'the ReLU output is measured, not its input');
  const hi = pct.value.get('x')?.hi as number;
  const lo = pct.value.get('x')?.lo as number;
  // The 0.1% tails of 10,000 normals are the 10 outermost values each side: about ±3.09, give or take the
  // sampling (±0.3) and one 0.022-wide bin of the 2048-bin histogram over [min, 40].
  assert.ok(Math.abs(hi - 3.09) < 0.4 && Math.abs(lo + 3.09) < 0.4, `[${lo}, ${hi}]`);
});

test('the percentile range is read from the histogram: 1% of 100 equal bins off each side', () => {
  const r = clipped({ lo: 0, hi: 100 }, new Float64Array(100).fill(1), 99);
  assert.deepEqual(r, { lo: 1, hi: 99 });
});

test('calibration refuses a tensor that is NaN on its inputs, naming it', async () => {
  const nan = Float32Array.from(data);
  nan[3] = Number.NaN;
  const r = await calibrate(relu, ['x'], [{ x: { type: 'float32', dims: [1, 10000], data: nan } }], { kind: 'minmax' });
  assert.ok(!r.ok && /'x' is not finite/.test(r.error));
});

test('ppocr_mobile_v2_cls (opset 9) upgraded to 13: Clip takes inputs, outputs equal to the original', async () => {
  const [m] = realModels('ppocr_mobile_v2_cls');
  const original = await readModelFile(m!.file);
  assert.ok(original.ok);
  const up = upgradeOpset(original.value);
  assert.ok(up.ok, up.ok ? '' : up.error);
  assert.equal(up.value.from, 9);
  assert.equal(opsetVersion(up.value.model), 13);
  assert.ok(up.value.rewritten > 0);
  const clip = up.value.model.graph.nodes.find((n) => n.opType === 'Clip')!;
  assert.equal(clip.attributes.length, 0);
  assert.ok(clip.inputs.length >= 2);
  const feeds = { x: { type: 'float32' as const, dims: [1, 3, 48, 192], data: normalFloats(3 * 48 * 192, 1) } };
  const options = { graphOptimizationLevel: 'disabled' as const, intraOpThreads: 1 };
  const before = await runTensorsOnce(encodeModel(original.value), feeds, options);
  const after = await runTensorsOnce(encodeModel(up.value.model), feeds, options);
  for (const [name, t] of Object.entries(before))
    assert.equal(agreement(after[name]!.data as Float32Array, t.data as Float32Array).relL2, 0, name);
});
