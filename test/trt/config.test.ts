/**
 * The `trt` section schema (as the runner will apply it, with Ajv defaults) agrees with the TS defaults,
 * and rejects what the stages would misread.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import { defaults, schema } from '../../trt/config.js';

// Composed as the run-config schema composes sections: a missing `trt` becomes {} and then gets its defaults.
const ajv = new Ajv.default({ useDefaults: true, strict: true });
const root = ajv.compile({ type: 'object', properties: { trt: schema } });
const validate = ajv.compile({ ...schema, default: undefined });

test('a missing section gets exactly the documented defaults', () => {
  const config: { trt?: unknown } = {};
  assert.ok(root(config), JSON.stringify(root.errors));
  assert.deepEqual(config.trt, defaults);
});

test('unknown fields, a unit-suffixed workspace and an out-of-range level are rejected', () => {
  assert.ok(!validate({ workspace: 2048 }));
  assert.ok(!validate({ workspace_mib: '2048MiB' }));
  assert.ok(!validate({ builder_optimization_level: 6 }));
  assert.ok(!validate({ bench: { warmup: 10 } }));
  assert.ok(validate({ workspace_mib: 4096, batch: { max: 32 }, docker: { enabled: false } }));
});
