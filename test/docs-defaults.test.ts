/**
 * The defaults README.md and docs/*.md quote are the config schemas' defaults, so a changed default fails here
 * until the docs say the new value. Quoted forms: README's configuration table (`field` (value)), a section's
 * `| field | … default … |` table in the docs, and `section.field` = value or (default value) in prose.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import type { TObject } from '@sinclair/typebox';
import { withCacheSection } from '../pipeline/store/cache-config.js';
import { configSection } from '../pipeline/config/section.js';
import { defaults as modelDefaults } from '../stages/build/config.js';
import { registry } from '../stages/index.js';
import { fromRoot } from './repo-root.js';

interface Quote {
  where: string;
  path: string;
  text: string;
}

const sections = (withCacheSection(registry.configSchema) as { properties: Record<string, TObject> }).properties;
/** Every section as an empty config reads; `model`'s defaults are filled in by the build stage, not the check. */
const defaults: Record<string, unknown> = {
  ...Object.fromEntries(Object.entries(sections).map(([name, s]) => [name, configSection({}, name, s)])),
  model: modelDefaults,
};

const valueAt = (path: string): unknown =>
  path.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], defaults);

/** Whether the docs' text says `value`: numbers by value, arrays item by item, strings without their quotes. */
function says(quoted: string, value: unknown): boolean {
  const text = quoted.trim().replace(/^`(.*)`$/, '$1');
  if (Array.isArray(value)) {
    const items = splitTop(text.replace(/^\[(.*)\]$/, '$1')).filter((s) => s !== '');
    return items.length === value.length && items.every((item, i) => says(item, value[i]));
  }
  if (typeof value === 'number') return text !== '' && Number(text) === value;
  if (typeof value === 'boolean') return text === String(value);
  return text.replace(/^(['"])(.*)\1$/, '$2') === value;
}

/** Comma-separated parts, a bracketed list staying one part. */
const splitTop = (text: string): string[] => text.split(/,(?![^[]*\])/).map((s) => s.trim());

const read = (file: string): string[] => readFileSync(fromRoot(file), 'utf8').split('\n');

/** README's configuration table: `field` (value), where the value is a literal rather than a remark. */
function readmeQuotes(): Quote[] {
  const lines = read('README.md');
  const start = lines.findIndex((l) => l.startsWith('| section | fields (defaults) |'));
  assert.ok(start >= 0, 'README.md has no configuration table');
  const rows = lines.slice(
    start + 2,
    lines.findIndex((l, i) => i > start && !l.startsWith('|')),
  );
  return rows.flatMap((row) => {
    const [, names = '', fields = ''] = row.split('|');
    const owners = [...names.matchAll(/`(\w+)`/g)].map((m) => m[1]!);
    return [...fields.matchAll(/`([\w.]+)` \(([^)]*)\)/g)]
      .map(([, field, remark]) => ({ field: field!, text: remark!.split(';')[0]!.trim() }))
      .filter(({ text }) => /^(-?\d[\d.]*(e-?\d+)?|true|false|`[^`]*`|\[.*\])$/.test(text))
      .map(({ field, text }) => {
        const owner = owners.find((o) => valueAt(`${o}.${field}`) !== undefined) ?? owners[0];
        return { where: `README.md, ${row.slice(0, 40)}…`, path: `${owner}.${field}`, text };
      });
  });
}

/** A section's `| field | … default … |` table after the line that starts with `heading`. */
function tableQuotes(file: string, section: string, heading: string): Quote[] {
  const lines = read(file);
  const header = lines.findIndex(
    (l, i) => i > lines.findIndex((h) => h.startsWith(heading)) && l.startsWith('| field'),
  );
  assert.ok(header >= 0, `${file} has no field table under "${heading}"`);
  const column = header >= 0 ? lines[header]!.split('|').findIndex((c) => c.trim() === 'default') : -1;
  const rows = lines.slice(
    header + 2,
    lines.findIndex((l, i) => i > header && !l.startsWith('|')),
  );
  return rows.flatMap((row) => {
    const cells = row.split('|');
    const cell = cells[column]!.trim();
    if (cell === 'see above') return [];
    // `batch.min/opt/max` names three fields.
    const fields = [...cells[1]!.matchAll(/`([\w./]+)`/g)].flatMap(([, name]) => {
      const [stem, last] = [name!.slice(0, name!.lastIndexOf('.') + 1), name!.slice(name!.lastIndexOf('.') + 1)];
      return last.split('/').map((leaf) => `${section}.${stem}${leaf}`);
    });
    let parts = fields.length > 1 ? splitTop(cell) : [cell];
    if (parts.length === 1 && fields.length > 1) parts = cell.split('/');
    if (parts.length === 1) parts = fields.map(() => cell);
    assert.equal(parts.length, fields.length, `${file}: ${row}: one default per field, or one for all`);
    return fields.map((path, i) => ({ where: `${file}: ${row.slice(0, 60)}…`, path, text: parts[i]! }));
  });
}

/** docs/benchmark.md's tolerance table: | FP32 | ≤ rel L2 | ≥ top-1 | why |. */
function toleranceQuotes(): Quote[] {
  return read('docs/benchmark.md').flatMap((row) => {
    const m = /^\| (FP32|FP16) \| ≤ (\S+) \| ≥ (\S+) \|/.exec(row);
    if (!m) return [];
    const path = `bench.tolerance.${m[1]!.toLowerCase()}`;
    const where = `docs/benchmark.md: ${row.slice(0, 30)}…`;
    return [
      { where, path: `${path}.rel_l2`, text: m[2]! },
      { where, path: `${path}.top1`, text: m[3]! },
    ];
  });
}

/** `section.field` = value, or `section.field` (default value), anywhere in README.md and docs/*.md. */
function proseQuotes(): Quote[] {
  const files = [
    'README.md',
    ...readdirSync(fromRoot('docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];
  return files.flatMap((file) =>
    [
      ...read(file)
        .join('\n')
        .matchAll(/`((\w+)\.[\w.]+)`(?: = |,? \(?default )(-?\d[\d.]*(?:e-?\d+)?|true|false)/g),
    ]
      .filter(([, , section]) => section! in defaults)
      .map(([quote, path, , text]) => ({ where: `${file}: ${quote}`, path: path!, text: text! })),
  );
}

test('every default README.md and docs/*.md quote is the one its schema declares', () => {
  const quotes = [
    ...readmeQuotes(),
    ...tableQuotes('docs/benchmark.md', 'bench', '## Configuration (`bench` section)'),
    ...tableQuotes('docs/tensorrt.md', 'trt', '## Configuration (`trt` section)'),
    ...tableQuotes('docs/onnx-core.md', 'model', 'Config section `model`'),
    ...toleranceQuotes(),
    ...proseQuotes(),
  ];
  assert.ok(quotes.length >= 70, `only ${quotes.length} quoted defaults found: the docs are not being read`);
  const wrong = quotes
    .filter((q) => !says(q.text, valueAt(q.path)))
    .map((q) => `${q.where}: ${q.path} is quoted as ${q.text}, the schema says ${JSON.stringify(valueAt(q.path))}`);
  assert.deepEqual(wrong, []);
});

test('a changed default is caught: the same docs read against a different value disagree', () => {
  assert.ok(says('1e-5', 1e-5) && !says('1e-5', 1e-4));
  assert.ok(says('[1, 8]', [1, 8]) && !says('[1, 8]', [1, 16]) && says('ort, trt', ['ort', 'trt']));
  assert.ok(says("''", '') && says('`""`', '') && !says('true', false) && !says('all', 'basic'));
});
