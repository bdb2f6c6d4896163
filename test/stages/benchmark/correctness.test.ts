/** The benchmark's correctness judgement applies onnx/compare's one rule (issue 22's two misjudgements). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalFloats } from '../../../onnx/random.js';
import { judge } from '../../../stages/benchmark/correctness.js';
import { benchConfig } from '../../../stages/benchmark/kits.js';

const t = benchConfig({}).tolerance;

test('FP32 on an output of about 1e-4 that differs by 3e-8 (thread count) is within tolerance', () => {
  const ref = Float32Array.from(normalFloats(64, 3), (v) => 1e-4 + 2e-5 * v);
  const got = Float32Array.from(ref, (v, i) => v + 3e-8 * (normalFloats(64, 4)[i] as number));
  const c = judge(got, ref, [64, 1], 'fp32', t);
  assert.ok(c.relL2 > 1e-4, `relative L2 ${c.relL2} alone would flag it`);
  assert.ok(c.ok && c.zeroReference, 'judged by absolute error below the floor, and says so');
});

test('FP32 on such an output that is really wrong is still flagged', () => {
  const ref = Float32Array.from(normalFloats(64, 3), (v) => 1e-4 + 2e-5 * v);
  assert.equal(
    judge(
      Float32Array.from(ref, (v) => 2 * v),
      ref,
      [64, 1],
      'fp32',
      t,
    ).ok,
    false,
  );
});

test('FP16 exact zeros for an output below float16 range are within tolerance; relative L2 reads 1', () => {
  const ref = Float32Array.from(normalFloats(40, 5), (v) => 2.4e-8 * v);
  const c = judge(new Float32Array(40), ref, [4, 1, 10], 'fp16', t);
  assert.equal(c.relL2, 1);
  assert.ok(c.ok);
});
