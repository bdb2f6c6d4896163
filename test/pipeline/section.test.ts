/** configSection: a partial section over its defaults, as stages read their config. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSection } from '../../pipeline/section.js';

const defaults = {
  runs: 100,
  sizes: [1, 8],
  ort: { level: 'all', threads: 0 },
  tolerance: { fp32: { rel_l2: 1e-4, top1: 0.99 } },
};

test('nested objects merge key by key; arrays and scalars replace; absent keeps the default', () => {
  assert.deepEqual(configSection({}, 'bench', defaults), defaults);
  assert.deepEqual(
    configSection({ bench: { sizes: [4], ort: { threads: 2 }, tolerance: { fp32: { top1: 1 } } } }, 'bench', defaults),
    {
      runs: 100,
      sizes: [4],
      ort: { level: 'all', threads: 2 },
      tolerance: { fp32: { rel_l2: 1e-4, top1: 1 } },
    },
  );
  assert.deepEqual(configSection({ bench: { runs: undefined, extra: true } }, 'bench', defaults), {
    ...defaults,
    extra: true,
  });
  assert.deepEqual(defaults.ort, { level: 'all', threads: 0 }, 'the defaults are not touched');
});
