/** onnx/compare's one tolerance rule: relative where the reference has magnitude, absolute below the floor. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { agreement, describeOutput, SCALE_FLOOR, within, worstOutput } from '../../onnx/compare.js';

const f = (xs: number[]) => Float32Array.from(xs);

test('a reference with magnitude is judged by relative L2', () => {
  const a = agreement(f([1.01, 2, 3]), f([1, 2, 3]));
  assert.equal(a.basis, 'relative');
  assert.ok(Math.abs(a.error - a.relL2) < 1e-12);
  assert.ok(within(a, 1e-2) && !within(a, 1e-3));
});

test('a reference below the floor is judged by RMS error over the floor, continuously at the floor', () => {
  const a = agreement(f([2e-8, -1e-8]), f([0, 0]));
  assert.equal(a.basis, 'absolute');
  const rms = Math.sqrt((2e-8 ** 2 + 1e-8 ** 2) / 2);
  assert.ok(Math.abs(a.error - rms / SCALE_FLOOR) < 1e-12);
  const at = agreement(f([SCALE_FLOOR * 1.01]), f([SCALE_FLOOR]));
  assert.ok(Math.abs(at.error - 0.01) < 1e-6, `at the floor both readings agree: ${at.error}`);
});

test('NaN is never within a tolerance; the worst failing output is named first when not comparable', () => {
  const nan = agreement(f([Number.NaN, 1]), f([1, 1]));
  assert.equal(within(nan, 1), false);
  const outputs = { good: agreement(f([1]), f([1])), off: agreement(f([2]), f([1])), nan };
  assert.equal(worstOutput(outputs, 1e-3)?.name, 'nan');
  assert.equal(worstOutput({ good: outputs.good, off: outputs.off }, 1e-3)?.name, 'off');
  assert.equal(worstOutput({ good: outputs.good }, 1e-3), undefined);
});

test('the failure line names the output and the measure that judged it', () => {
  assert.equal(describeOutput('y', agreement(f([2]), f([1])), 1e-2), "output 'y': relative L2 1.00e+0 > 0.01");
  const tiny = describeOutput('p', agreement(f([1e-5]), f([0])), 1e-4);
  assert.match(
    tiny,
    /^output 'p': RMS error 1\.00e-5 > 1\.00e-7 \(its reference's RMS 0\.0e\+0 is below the 0\.001 floor/,
  );
});
