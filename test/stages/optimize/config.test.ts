/** The `optimize` and `fp16` section schemas, applied as the runner applies them (Ajv with defaults), agree with the TS defaults. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import { defaults as fp16Defaults, schema as fp16Schema } from '../../../stages/convert-fp16/config.js';
import { defaults, schema } from '../../../stages/optimize/config.js';
import { allPasses, passNames } from '../../../stages/optimize/passes/index.js';

const ajv = new Ajv.default({ useDefaults: true, strict: true });
const root = ajv.compile({ type: 'object', properties: { optimize: schema, fp16: fp16Schema } });
const optimize = ajv.compile({ ...schema, default: undefined });

test('missing sections get exactly the documented defaults', () => {
  const config: Record<string, unknown> = {};
  assert.ok(root(config), JSON.stringify(root.errors));
  assert.deepEqual(config.optimize, defaults);
  assert.deepEqual(config.fp16, fp16Defaults);
});

test('an unknown pass, a repeated pass and a non-positive tolerance are rejected', () => {
  assert.ok(!optimize({ passes: ['fold-constants', 'make-it-fast'] }));
  assert.ok(!optimize({ passes: ['fold-constants', 'fold-constants'] }));
  assert.ok(!optimize({ tolerance_rel_l2: 0 }));
  assert.ok(!optimize({ tolerance: 1e-5 }));
  assert.ok(optimize({ passes: ['eliminate-identity', 'topological-sort'], check: { batch: 4 } }));
});

test('every configurable pass name resolves to the pass of that name, in the default order', () => {
  assert.deepEqual(
    allPasses.map((p) => p.name),
    [...passNames],
  );
});
