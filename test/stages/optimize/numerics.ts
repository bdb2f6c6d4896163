/**
 * The check every positive pass test ends with: the rewritten model passes the validator and gives the
 * same outputs as the original in onnxruntime-node (optimizer disabled) on seeded inputs, within the
 * stage's FP32 tolerance.
 */
import assert from 'node:assert/strict';
import type { Model } from '../../../onnx/ir.js';
import { encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { compareOutputs, runDisabled, seededFeeds } from '../../../onnx/numeric-check.js';

export async function assertSameOutputs(before: Model, after: Model, tolerance = 1e-5): Promise<void> {
  const report = validateModel(after);
  assert.deepEqual(report.errors, [], 'the rewritten model passes the validator');
  const feeds = seededFeeds(before, 7, 2);
  assert.ok(feeds.ok);
  const ref = await runDisabled(encodeModel(before), feeds.value);
  const got = await runDisabled(encodeModel(after), feeds.value);
  assert.ok(ref.ok, ref.ok ? '' : ref.error);
  assert.ok(got.ok, got.ok ? '' : got.error);
  const c = compareOutputs(got.value, ref.value);
  assert.ok(c.worstRelL2 <= tolerance, `relative L2 ${c.worstRelL2} above ${tolerance}`);
}
