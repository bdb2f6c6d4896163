import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Model } from '../../../onnx/ir.js';
import { bodies } from '../../../onnx/rewrite/subgraphs.js';
import { encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { convertBodies, type BodyCheck } from '../../../stages/convert-fp16/bodies.js';
import { convertFloat16 } from '../../../stages/convert-fp16/convert.js';
import { compareOutputs, referenceRun, runDisabled, seededFeeds } from '../../../onnx/numeric-check.js';
import { ifModel } from './if-model.js';

test('bodies convert one at a time: the branch the check runs is converted, the other stays float32', async () => {
  const fp32 = ifModel();
  const options = { keepFp32: [], keepIoFp32: true };
  const converted = convertFloat16(fp32, options);
  assert.ok(converted.ok, converted.ok ? '' : converted.error);
  assert.deepEqual(
    converted.value.report.subgraphs.map((s) => s.opType),
    ['If'],
  );
  const feeds = seededFeeds(fp32, 5, 1);
  const ref = await referenceRun(encodeModel(fp32), feeds);
  assert.ok(ref.ok, ref.ok ? '' : ref.error);
  const check: BodyCheck = async (m) => {
    const got = await runDisabled(encodeModel(m), ref.value.feeds);
    return got.ok ? compareOutputs(got.value, ref.value.outputs).worstRelL2 : got.error;
  };
  const r = await convertBodies(fp32, [converted.value.model], options, check, 1e-2);
  assert.deepEqual(
    r.outcomes.map((o) => [o.attribute, o.converted]),
    [
      ['then_branch', true],
      ['else_branch', false],
    ],
  );
  assert.match(r.outcomes[1]?.why ?? '', /bit-identical/);
  const after = r.models[0] as Model;
  assert.deepEqual(validateModel(after).errors, []);
  const [then] = bodies(after.graph.nodes.find((n) => n.opType === 'If') ?? after.graph.nodes[0]!);
  const ops = then?.nodes.map((n) => n.opType);
  assert.deepEqual(ops, ['Cast', 'Cast', 'Mul', 'Identity', 'Cast'], 'float16 between Casts');
  const relL2 = await check(after);
  assert.ok(typeof relL2 === 'number' && relL2 > 0 && relL2 < 1e-2, `relative L2 ${relL2}`);
});
