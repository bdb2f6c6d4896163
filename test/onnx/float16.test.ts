/** float16 bits against numpy's astype(float16), the conversion every ONNX tool chain agrees on. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16ToFloat32, float32ToFloat16Bits } from '../../onnx/float16.js';
import { normalFloats } from '../../onnx/random.js';
import { exec } from '../../pipeline/execute/exec.js';

const special = [
  0,
  -0,
  1,
  -1,
  65504,
  65519.99,
  65520,
  1e6,
  -1e6,
  6.1e-5,
  5.96e-8,
  2.98e-8,
  2.99e-8,
  1e-9,
  0.1,
  1 / 3,
  2049,
  2051,
  Infinity,
  -Infinity,
];
const values = Float32Array.from([
  ...special,
  ...Array.from(normalFloats(2000, 3), (x, i) => x * 10 ** ((i % 12) - 8)),
]);

test('float32 → float16 rounds exactly as numpy does, and back is exact', async () => {
  const script = [
    'import sys, numpy as np',
    'a = np.array(sys.stdin.read().split(), dtype=np.float32)',
    'print(" ".join(str(int(x)) for x in a.astype(np.float16).view(np.uint16)))',
  ].join('\n');
  const r = await exec('/usr/bin/python3', ['-c', script], {
    input: Array.from(values, (x) => (Object.is(x, -0) ? '-0' : x.toString())).join(' '),
  });
  assert.equal(r.exitCode, 0, r.stderr);
  const expected = r.stdout.trim().split(' ').map(Number);
  const ours = Array.from(values, float32ToFloat16Bits);
  const mismatches = ours.flatMap((b, i) => (b === expected[i] ? [] : [`${values[i]}: ${b} vs ${expected[i]}`]));
  assert.deepEqual(mismatches, []);
  for (const bits of expected) {
    const back = float16ToFloat32(bits);
    assert.equal(float32ToFloat16Bits(back), bits);
  }
  assert.ok(Number.isNaN(float16ToFloat32(float32ToFloat16Bits(Number.NaN))));
});
