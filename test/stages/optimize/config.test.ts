/** The `optimize` section schema, applied as the runner applies it (Ajv), rejects what the stage would misread. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import Ajv from 'ajv';
import { schema } from '../../../stages/optimize/config.js';
import { allPasses, passNames } from '../../../stages/optimize/passes/index.js';

const ajv = new Ajv.default({ useDefaults: true, strict: true });
const optimize = ajv.compile({ ...schema, default: undefined });

test('an unknown pass, a repeated pass and a non-positive tolerance are rejected', () => {
  assert.ok(!optimize({ passes: ['fold-constants', 'make-it-fast'] }));
  assert.ok(!optimize({ passes: ['fold-constants', 'fold-constants'] }));
  assert.ok(!optimize({ tolerance_rel_l2: 0 }));
  assert.ok(!optimize({ tolerance: 1e-5 }));
  assert.ok(optimize({ passes: ['eliminate-identity', 'topological-sort'], check: { batch: 4 } }));
});

test('every configurable pass name resolves to the pass of that name, in the default order', async () => {
  assert.deepEqual(
    (await allPasses()).map((p) => p.name),
    [...passNames],
  );
});
