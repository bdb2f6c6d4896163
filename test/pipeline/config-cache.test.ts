/** The compiled config validator is kept as code and loaded back without ajv, with the same verdicts and defaults. */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cachedValidator } from '../../pipeline/config/config.js';

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: {
      type: 'object',
      default: {},
      additionalProperties: false,
      properties: { size: { type: 'integer', minimum: 32, default: 224 }, tags: { type: 'array', uniqueItems: true } },
    },
  },
};

test('the first run leaves the validator as CommonJS code; the next loads it and judges the same', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-ajv-'));
  const compiled = await cachedValidator(schema, dir);
  const files = readdirSync(dir);
  assert.equal(files.length, 1);
  assert.match(files[0]!, /^[0-9a-f]{16}\.cjs$/);
  assert.match(readFileSync(join(dir, files[0]!), 'utf8'), /require\("ajv\/dist\/runtime\/equal"\)/);

  const loaded = await cachedValidator(schema, dir);
  assert.notEqual(loaded, compiled, 'the second call must load the cached code, not compile again');
  for (const validate of [compiled, loaded]) {
    const withDefaults: Record<string, unknown> = {};
    assert.ok(validate(withDefaults));
    assert.deepEqual(withDefaults, { model: { size: 224 } });
    assert.ok(!validate({ model: { size: 8 } }));
    assert.equal(validate.errors?.[0]?.instancePath, '/model/size');
    assert.ok(
      !validate({ model: { tags: ['a', 'a'] } }),
      'uniqueItems needs the runtime helper the cached code requires',
    );
  }
  assert.deepEqual(readdirSync(dir), files, 'loading writes nothing');
});
