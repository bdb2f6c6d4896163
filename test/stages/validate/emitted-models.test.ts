/**
 * Every model the project emits — MobileNetV2 from build, after optimize, after convert:fp16 — at opsets
 * 11, 13 and 17 (and 17 with a dynamic batch) passes our checker with no unchecked operator, and
 * onnx.checker.check_model(full_check=True).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Model } from '../../../onnx/ir.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { defaults as modelDefaults } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { defaults as fp16Defaults } from '../../../stages/convert-fp16/config.js';
import { convertFloat16 } from '../../../stages/convert-fp16/convert.js';
import { allPasses } from '../../../stages/optimize/passes/index.js';
import { referenceCheck } from '../../onnx/validate/reference.js';

test('MobileNetV2 at opsets 11, 13, 17 — built, optimized, fp16 — passes ours and onnx.checker', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-emitted-'));
  const files: { name: string; path: string }[] = [];
  for (const [opset, dynamic] of [
    [11, false],
    [13, false],
    [17, false],
    [17, true],
  ] as const) {
    const built = buildMobileNetV2({ ...modelDefaults, opset, dynamic_batch: dynamic });
    const optimized = runPasses(built, await allPasses()).model;
    const fp16 = convertFloat16(optimized, { keepFp32: fp16Defaults.keep_fp32, keepIoFp32: fp16Defaults.keep_io_fp32 });
    assert.ok(fp16.ok, fp16.ok ? '' : fp16.error);
    const models: [string, Model][] = [
      ['built', built],
      ['optimized', optimized],
      ['fp16', fp16.value.model],
    ];
    for (const [stage, m] of models) {
      const name = `${stage} opset ${opset}${dynamic ? ' dynamic batch' : ''}`;
      const report = validateModel(m);
      assert.equal(report.opset, opset, name);
      assert.deepEqual(report.errors, [], name);
      assert.deepEqual(report.unchecked, [], name);
      const path = join(dir, `${stage}-${opset}-${dynamic}.onnx`);
      writeFileSync(path, encodeModel(m));
      files.push({ name, path });
    }
  }
  const verdicts = await referenceCheck(files.map((f) => f.path));
  for (const f of files)
    assert.equal(verdicts.get(f.path)?.ok, true, `${f.name}: onnx.checker says ${verdicts.get(f.path)?.error}`);
});
