/** The `trt` section schema (as the runner will apply it, with Ajv defaults) rejects what the stages would misread. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import { schema } from '../../trt/config.js';

const ajv = new Ajv.default({ useDefaults: true, strict: true });
const validate = ajv.compile({ ...schema, default: undefined });

test('unknown fields, a unit-suffixed workspace and an out-of-range level are rejected', () => {
  assert.ok(!validate({ workspace: 2048 }));
  assert.ok(!validate({ workspace_mib: '2048MiB' }));
  assert.ok(!validate({ builder_optimization_level: 6 }));
  assert.ok(!validate({ bench: { warmup: 10 } }));
  assert.ok(validate({ workspace_mib: 4096, batch: { max: 32 }, docker: { enabled: false } }));
});
