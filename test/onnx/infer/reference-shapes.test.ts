/**
 * Our shape inference against onnx.shape_inference (strict) on the models the project emits: every value
 * of MobileNetV2 — static and dynamic batch, built and optimized — gets the same element type and shape.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromRoot } from '../../repo-root.js';
import { test } from 'node:test';
import { inferShapes } from '../../../onnx/infer/index.js';
import type { Model } from '../../../onnx/ir.js';
import { runPasses } from '../../../onnx/rewrite/pass-manager.js';
import { encodeModel } from '../../../onnx/serde.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { defaults } from '../../../stages/build/config.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { allPasses } from '../../../stages/optimize/passes/index.js';

const script = fromRoot('test/onnx/infer/reference-shapes.py');

async function compare(name: string, model: Model): Promise<number> {
  const path = join(mkdtempSync(join(tmpdir(), 'ef-shapes-')), 'm.onnx');
  const bare = { ...model, graph: { ...model.graph, valueInfo: [] } };
  writeFileSync(path, encodeModel(bare));
  const run = await exec('/usr/bin/python3', [script, path], { timeoutMs: 60_000 });
  assert.equal(run.exitCode, 0, run.stderr);
  const reference = JSON.parse(run.stdout) as Record<string, [number, (number | string | null)[] | null]>;
  const ours = inferShapes(bare);
  let compared = 0;
  for (const [value, [dtype, dims]] of Object.entries(reference)) {
    const t = ours.get(value);
    assert.ok(t, `${name}: we have no type for ${value}`);
    assert.deepEqual([t.dtype, t.shape ?? null], [dtype, dims], `${name}: ${value}`);
    compared++;
  }
  return compared;
}

test('MobileNetV2 value types equal onnx.shape_inference, static and dynamic batch, built and optimized', async () => {
  const counts: string[] = [];
  for (const dynamic of [false, true]) {
    const built = buildMobileNetV2({ ...defaults, opset: 13, dynamic_batch: dynamic });
    for (const [stage, m] of [
      ['built', built],
      ['optimized', runPasses(built, await allPasses()).model],
    ] as const) {
      const name = `${stage}${dynamic ? ' dynamic' : ''}`;
      const n = await compare(name, m);
      assert.ok(n >= m.graph.nodes.length, `${name}: compared only ${n} values`);
      counts.push(`${name}: ${n} values`);
    }
  }
  console.log(counts.join('; '));
});
