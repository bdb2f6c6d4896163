/**
 * A measurement stage (`cache: 'never'`) in the runner: it runs alone, never beside another stage that would
 * share its cores; a command that only consumes it (like `report`) reuses its newest stored result for the
 * same key instead of measuring again, and measures once when there is none.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { createLogger } from '../../pipeline/log/log.js';
import { ok } from '../../pipeline/result.js';
import { runStages } from '../../pipeline/execute/runner.js';
import { defineStage, type StageDef } from '../../pipeline/stage.js';
import { Store } from '../../pipeline/store/store.js';

const spans: Record<string, [number, number]> = {};
let measured = 0;
const timed = (name: string, ms: number, extra: Partial<StageDef<null>> = {}) =>
  defineStage<null>({
    name,
    version: 1,
    description: name,
    config: () => null,
    inputs: {},
    outputs: { out: `${name}.txt` },
    async run(ctx) {
      const t0 = performance.now();
      await sleep(ms);
      if (name === 'measure') measured++;
      await writeFile(ctx.out('out'), `${name} ${measured}`);
      spans[name] = [t0, performance.now()];
      return ok(undefined);
    },
    ...extra,
  });
const measure = timed('measure', 150, { cache: 'never' });
const side = timed('side', 150);
const side2 = timed('side2', 150);
const present = defineStage<null>({
  name: 'present',
  version: 1,
  description: 'reads the measurement',
  config: () => null,
  inputs: { m: { stage: 'measure', output: 'out' } },
  outputs: { out: 'present.txt' },
  async run(ctx) {
    await writeFile(ctx.out('out'), await readFile(ctx.inputs['m']!, 'utf8'));
    return ok(undefined);
  },
});

async function runner() {
  const store = new Store(await mkdtemp(join(tmpdir(), 'ef-measure-')));
  const log = createLogger({ json: true, stream: new PassThrough() });
  return (stages: StageDef<null>[], reuse: string[] = [], force = false) =>
    runStages(stages, {}, { store, log, exec, concurrency: 2, reuse: new Set(reuse), force });
}

test('a measurement runs alone; the other stages still run two at a time', async () => {
  const run = await runner();
  const outcomes = await run([side, measure, side2]);
  assert.ok(outcomes.every((o) => o.status === 'built'));
  const overlaps = (a: [number, number], b: [number, number]) => a[0] < b[1] && b[0] < a[1];
  assert.ok(
    !overlaps(spans['measure']!, spans['side']!) && !overlaps(spans['measure']!, spans['side2']!),
    'nothing ran beside the measurement',
  );
  // Without the measurement, two independent stages share the two slots.
  await run([side, side2], [], true);
  assert.ok(overlaps(spans['side']!, spans['side2']!), 'independent stages still run concurrently');
});

test('a consumer-only command reuses the newest measurement (one if none); its own command re-measures', async () => {
  const run = await runner();
  measured = 0;
  const first = await run([measure, present], ['measure']);
  assert.equal(first[0]!.status, 'built', 'no earlier measurement: it measures once');
  assert.equal(measured, 1);
  const again = await run([measure, present], ['measure']);
  assert.equal(again[0]!.status, 'cached', 'the report-like command reuses it');
  assert.equal(again[1]!.status, 'cached', 'and the consumer, whose input did not change, is a hit');
  assert.equal(measured, 1, 'nothing was measured again');
  const bench = await run([measure, present]);
  assert.equal(bench[0]!.status, 'built', "the measurement's own command measures again");
  assert.equal(measured, 2);
  const newest = await run([measure, present], ['measure']);
  assert.equal(
    newest[0]!.outputs['out']!.sha256,
    bench[0]!.outputs['out']!.sha256,
    'the newest measurement is the one reused',
  );
});
