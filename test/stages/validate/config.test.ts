import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import { schema } from '../../../stages/validate/config.js';

const ajv = new Ajv.default({ useDefaults: true, strict: true });
const check = ajv.compile(schema);

test('the validate section fills its default and rejects unknown or ill-typed fields', () => {
  const empty: Record<string, unknown> = {};
  assert.equal(check(empty), true);
  assert.deepEqual(empty, { fail_on_unchecked: false });
  assert.equal(check({ fail_on_unchecked: 'yes' }), false);
  assert.equal(check({ opset: 13 }), false, 'the opset belongs to the model section');
});
