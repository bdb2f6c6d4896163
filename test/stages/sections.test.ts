/**
 * The config sections as the runner reads them. Each is declared once, as a schema with its defaults; what enters
 * a stage's cache key (its config slice) must not move when the way a section is declared does, and the defaults
 * the run config's check fills in must be the ones a stage fills in itself on a partial section.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TObject } from '@sinclair/typebox';
import { withCacheSection } from '../../pipeline/store/cache-config.js';
import { loadConfig, type RunConfig } from '../../pipeline/config/config.js';
import { canonical } from '../../pipeline/plan/fingerprint.js';
import { configSection } from '../../pipeline/config/section.js';
import { registry } from '../../stages/index.js';
import { fromRoot } from '../repo-root.js';

const schema = withCacheSection(registry.configSchema) as { properties: Record<string, TObject> };

/** A config file checked as the CLI checks it: the composed schema with the engine's `cache` section. */
async function checked(text: string): Promise<RunConfig> {
  const dir = await mkdtemp(join(tmpdir(), 'ef-sections-'));
  try {
    await writeFile(join(dir, 'run.yaml'), text);
    const c = await loadConfig(join(dir, 'run.yaml'), schema, [], undefined, registry.checkConfig);
    assert.ok(c.ok, c.ok ? '' : c.error);
    return c.value;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Each stage's config slice in the form that is hashed into its key. */
const slices = (config: RunConfig) =>
  Object.fromEntries(registry.stages.map((s) => [s.name, JSON.parse(canonical(s.config(config) ?? null))]));

const SLICES = fromRoot('test/fixtures/config-slices.json');

/**
 * Recorded from main at c1c4760 (defaults written out by hand), re-recorded after the 6a9ebd2 merge. A deliberate
 * change of a default, or a new stage (a new kit's engine stages), changes these slices (and so the keys): record
 * them again with `UPDATE=1 node scripts/run-tests.mjs dist/test/stages/sections.test.js` and commit the file with
 * the change, its diff showing every key that moved.
 */
test('an empty and the default config give every stage the slices recorded before sections were derived', async () => {
  const defaultConfig = await readFile(fromRoot('configs/mobilenetv2.yaml'), 'utf8');
  const now = {
    '{}': slices(await checked('{}\n')),
    'configs/mobilenetv2.yaml': slices(await checked(defaultConfig)),
  };
  if (process.env['UPDATE'] === '1') await writeFile(SLICES, `${JSON.stringify(now, null, 2)}\n`);
  const recorded = JSON.parse(await readFile(SLICES, 'utf8'));
  assert.deepEqual(now['{}'], recorded['{}']);
  assert.deepEqual(now['configs/mobilenetv2.yaml'], recorded['configs/mobilenetv2.yaml']);
});

test("the check fills in configSection's defaults; MobileNetV2's are the build stage's alone", async () => {
  const config = await checked('{}\n');
  const names = Object.keys(schema.properties);
  assert.deepEqual(names.sort(), [...Object.keys(config)].sort(), 'every section is filled in');
  for (const name of names.filter((n) => n !== 'model')) {
    assert.deepEqual(config[name], configSection({}, name, schema.properties[name]!), name);
    assert.deepEqual(configSection({ [name]: config[name] }, name, schema.properties[name]!), config[name], name);
  }
  assert.deepEqual(config['model'], {});
});
