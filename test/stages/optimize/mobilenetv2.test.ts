/**
 * The raw MobileNetV2 from the build stage comes out with no BatchNormalization, Identity or Dropout,
 * every Clip(0, 6) right after a Conv with constant bounds, validated and numerically the same; and its
 * float16 conversion loads in onnxruntime-node, passes the validator and agrees within 1e-2.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../../onnx/ir.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { tensorNumbers } from '../../../onnx/rewrite/tensors.js';
import { defaults as modelDefaults } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { defaults as fp16Defaults } from '../../../stages/convert-fp16/config.js';
import { convertFloat16 } from '../../../stages/convert-fp16/convert.js';
import { checkRun } from '../../../stages/optimize/check-run.js';
import { defaults } from '../../../stages/optimize/config.js';
import { passesByName } from '../../../stages/optimize/passes/index.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { assertSameOutputs } from './numerics.js';

const small = { ...modelDefaults, width_mult: 0.5, input_size: 64, num_classes: 10, dynamic_batch: true };

function assertClean(m: Model): void {
  const ops = new Set(m.graph.nodes.map((n) => n.opType));
  for (const gone of ['BatchNormalization', 'Identity', 'Dropout', 'Constant'])
    assert.ok(!ops.has(gone), `${gone} is gone`);
  const producer = new Map(m.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  const init = new Map(m.graph.initializers.map((t) => [t.name, t]));
  const clips = m.graph.nodes.filter((n) => n.opType === 'Clip');
  assert.ok(clips.length > 0);
  for (const clip of clips) {
    assert.equal(producer.get(clip.inputs[0] as string)?.opType, 'Conv', `${clip.name} follows a Conv`);
    const bounds = clip.inputs.slice(1).map((b) => {
      const t = init.get(b);
      return t && [...(tensorNumbers(t) ?? [])];
    });
    assert.deepEqual(bounds, [[0], [6]], `${clip.name} has constant bounds 0 and 6`);
  }
}

for (const opset of [11, 13, 17]) {
  test(`MobileNetV2 at opset ${opset}: clean, valid and numerically the same after the passes`, async () => {
    const raw = buildMobileNetV2({ ...small, opset });
    const passes = await passesByName(defaults.passes);
    const run = runPasses(raw, passes);
    assertClean(run.model);
    const check = await checkRun(raw, run, passes, defaults);
    assert.ok(check.ok, check.ok ? '' : check.error.message);
    await assertSameOutputs(raw, run.model);
  });
}

test('MobileNetV2 in float16 loads in onnxruntime-node, validates, and agrees within 1e-2', async () => {
  const opt = runPasses(buildMobileNetV2(small), await passesByName(defaults.passes)).model;
  const r = convertFloat16(opt, { keepFp32: fp16Defaults.keep_fp32, keepIoFp32: true });
  assert.ok(r.ok, r.ok ? '' : r.error);
  assert.deepEqual(validateModel(r.value.model).errors, []);
  assert.equal(r.value.report.castsInserted, 2);
  assert.ok(r.value.report.bytes.after < 0.51 * r.value.report.bytes.before);
  await assertSameOutputs(opt, r.value.model, fp16Defaults.tolerance_rel_l2);
});
