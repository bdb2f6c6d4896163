/** configSection: a partial section over its schema's defaults, as stages read their config. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Type } from '@sinclair/typebox';
import { configSection, Enum, Section, sectionDefaults } from '../../pipeline/config/section.js';

const schema = Section({
  runs: Type.Integer({ minimum: 1, default: 100 }),
  sizes: Type.Array(Type.Integer(), { default: [1, 8] }),
  ort: Section({ level: Enum(['all', 'basic'], { default: 'all' }), threads: Type.Integer({ default: 0 }) }),
  tolerance: Section({
    fp32: Section({ rel_l2: Type.Number({ default: 1e-4 }), top1: Type.Number({ default: 0.99 }) }),
  }),
  remote: Type.Optional(Type.String()),
  // An object with no default of its own: filled in place unless configSection reads a copy.
  window: Type.Optional(Type.Object({ n: Type.Integer({ default: 1 }) })),
});

const defaults = {
  runs: 100,
  sizes: [1, 8],
  ort: { level: 'all', threads: 0 },
  tolerance: { fp32: { rel_l2: 1e-4, top1: 0.99 } },
};

test('nested objects fill key by key; arrays and scalars replace; absent or undefined takes the default', () => {
  assert.deepEqual(configSection({}, 'bench', schema), defaults, 'a field without a default stays absent');
  assert.deepEqual(sectionDefaults(schema), defaults);
  assert.deepEqual(
    configSection({ bench: { sizes: [4], ort: { threads: 2 }, tolerance: { fp32: { top1: 1 } } } }, 'bench', schema),
    {
      runs: 100,
      sizes: [4],
      ort: { level: 'all', threads: 2 },
      tolerance: { fp32: { rel_l2: 1e-4, top1: 1 } },
    },
  );
  assert.deepEqual(configSection({ bench: { runs: undefined, extra: true } }, 'bench', schema), {
    ...defaults,
    extra: true,
  });
});

test("neither the caller's section nor the schema's defaults are changed by reading", () => {
  const given = { ort: { threads: 2 }, window: {} };
  const read = configSection({ bench: given }, 'bench', schema);
  assert.deepEqual(read.window, { n: 1 });
  assert.deepEqual(given, { ort: { threads: 2 }, window: {} });
  read.sizes.push(16);
  read.ort.threads = 7;
  assert.deepEqual(configSection({}, 'bench', schema), defaults);
});

test('Enum is JSON Schema enum, the form whose errors the run config words as "must be one of"', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(Enum(['TB', 'LR'], { default: 'TB' }))), {
    default: 'TB',
    enum: ['TB', 'LR'],
  });
});
