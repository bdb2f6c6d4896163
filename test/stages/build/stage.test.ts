/** The `build` stage as the runner drives it: config through its schema (Ajv with defaults), then `run`. */
import assert from 'node:assert/strict';
import { readFile, rm } from 'node:fs/promises';
import { test } from 'node:test';
import Ajv from 'ajv';
import { decodeModel, encodeModel } from '../../../onnx/serde.js';
import { defaults, schema, type ModelConfig } from '../../../stages/build/config.js';
import build from '../../../stages/build/index.js';
import { buildMobileNetV2 } from '../../../stages/build/mobilenetv2.js';
import { stageContext } from '../optimize/stage-context.js';

const ajv = new Ajv.default({ useDefaults: true, strict: true });
const root = ajv.compile({ type: 'object', properties: { model: schema } });
const section = ajv.compile({ ...schema, default: undefined });

test("the check fills in none of MobileNetV2's fields; the stage reads them with their defaults", () => {
  const config: Record<string, unknown> = {};
  assert.ok(root(config), JSON.stringify(root.errors));
  assert.deepEqual(config['model'], {}, 'a config naming a file can be told apart from one setting these fields');
  assert.deepEqual(build.config(config), defaults);
  assert.deepEqual(build.config({}), defaults);
  assert.deepEqual(
    build.config({ model: { width_mult: 0.5, dims: { N: 2 } } }),
    { ...defaults, width_mult: 0.5 },
    'only MobileNetV2 fields enter its key',
  );
});

test('bad model settings are rejected by the schema', () => {
  for (const bad of [
    { width_mult: 0 },
    { opset: 10 },
    { opset: 18 },
    { input_size: 16 },
    { num_classes: 0 },
    { arch: 'resnet50' },
    { batch_size: 0 },
    { input_size: 224.5 },
    { dynamic_batch: 'yes' },
    { widthmult: 1 },
  ]) {
    assert.ok(!section(structuredClone(bad)), `accepted ${JSON.stringify(bad)}`);
  }
  assert.ok(section({ width_mult: 0.35, input_size: 96, num_classes: 10, opset: 11, seed: 3, dynamic_batch: true }));
});

test('the stage writes model.onnx: the same bytes as buildMobileNetV2 for its config', async () => {
  const config: ModelConfig = { ...defaults, width_mult: 0.5, input_size: 64, num_classes: 10, opset: 13, seed: 5 };
  const { ctx, logs, dir } = await stageContext(config, {}, build.outputs);
  try {
    const r = await build.run(ctx);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const bytes = await readFile(ctx.out('model'));
    assert.equal(Buffer.compare(bytes, encodeModel(buildMobileNetV2(config))), 0, 'same bytes');
    const model = decodeModel(bytes);
    assert.ok(model.ok);
    assert.deepEqual(model.value.opsetImports, [{ domain: '', version: 13 }]);
    assert.deepEqual(model.value.graph.outputs[0]?.type?.shape, [1, 10]);
    assert.ok(logs.some((l) => l.message === 'built'));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
