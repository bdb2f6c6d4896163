import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import { schema } from '../../../stages/validate/config.js';

const ajv = new Ajv.default({ useDefaults: true, strict: true });
/** As the runner applies it: the section inside a root config. */
const check = ajv.compile({ type: 'object', properties: { validate: schema } });

test('the validate section fills its default and rejects unknown or ill-typed fields', () => {
  const config: Record<string, unknown> = {};
  assert.equal(check(config), true);
  assert.deepEqual(config, { validate: { fail_on_unchecked: false } });
  assert.equal(check({ validate: { fail_on_unchecked: 'yes' } }), false);
  assert.equal(check({ validate: { opset: 13 } }), false, 'the opset belongs to the model section');
});
