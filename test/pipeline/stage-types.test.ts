/**
 * A stage's declaration types its `ctx` (pipeline/stage.ts): a required input is a path, an optional one may be
 * absent, a group of user files is one object, a run option is what its check lets through. The compiler checks the
 * `@ts-expect-error` lines below when the tests are built; the runtime half checks what the planner and the
 * executor hand over: each file of a group keyed as `group/name`, the group whole in `ctx.inputs`, and only the
 * options a stage declares, and only values its checks pass.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import { gather } from '../../pipeline/plan/key-inputs.js';
import { ToolProbes } from '../../pipeline/plan/tools.js';
import { ok } from '../../pipeline/result.js';
import { declaredOptions, defineStage } from '../../pipeline/stage.js';

type Level = 'low' | 'high';
const isLevel = (v: unknown): v is Level => v === 'low' || v === 'high';

/** Its files: one file, one that is not named, and a group. */
const named = (dir: string) => ({
  notes: join(dir, 'notes.txt'),
  extra: undefined as string | undefined,
  samples: { 'a.pb': join(dir, 'a.pb'), 'set_1/b.pb': join(dir, 'b.pb') },
});

const typed = (dir: string) =>
  defineStage({
    name: 'typed',
    version: 1,
    description: 'reads every kind of input',
    config: (_root, options) => ({ level: options?.level }),
    inputs: { model: { stage: 'up', output: 'model' }, fp16: { stage: 'half', output: 'model', optional: true } },
    files: async () => ok(named(dir)),
    options: { level: isLevel },
    outputs: { out: 'out.txt' },
    async run(ctx) {
      const model: string = ctx.inputs.model;
      // @ts-expect-error an optional input may be absent
      const fp16: string = ctx.inputs.fp16;
      const samples: Readonly<Record<string, string>> = ctx.inputs.samples;
      const notes: string = ctx.inputs.notes;
      // @ts-expect-error a file that may not be named may be absent
      const extra: string = ctx.inputs.extra;
      // @ts-expect-error nothing is declared under this label
      void ctx.inputs.undeclared;
      const level: Level | undefined = ctx.options.level;
      // @ts-expect-error an option the stage did not declare is not there
      void ctx.options.baseline;
      const config: { level?: Level } = ctx.config;
      void [model, fp16, samples, notes, extra, level, config];
      return ok(undefined);
    },
  });

test('a group of user files is keyed file by file as group/name and handed to the stage whole', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-stage-types-'));
  const files = named(dir);
  for (const path of [files.notes, ...Object.values(files.samples)]) await writeFile(path, path);
  const model = { sha256: 'm', file: 'model.onnx', size: 1 };
  const producers = (stage: string) =>
    stage === 'up' ? { state: 'ready' as const, outputs: { model } } : { state: 'absent' as const, failed: false };
  const got = await gather(typed(dir), {}, producers, {
    probes: new ToolProbes(exec),
    options: { level: 'high', baseline: 'old.json' },
  });
  assert.ok(got.ok);
  assert.deepEqual(Object.keys(got.value.inputs).sort(), [
    'fp16',
    'model',
    'notes',
    'samples/a.pb',
    'samples/set_1/b.pb',
  ]);
  assert.equal(got.value.inputs['fp16'], undefined, 'an optional input whose producer has nothing');
  assert.deepEqual(got.value.files, files, 'the stage sees its files as it named them, groups whole');
  assert.deepEqual(got.value.config, { level: 'high' }, 'its config reads the option it declared');
});

test('a stage sees only the run options it declares, each only where its check passes', () => {
  const checks = { level: isLevel };
  assert.deepEqual(declaredOptions(checks, { level: 'low', baseline: 'old.json' }), { level: 'low' });
  assert.deepEqual(declaredOptions(checks, { level: 'all' }), {}, '`all` is no level');
  assert.deepEqual(declaredOptions(undefined, { level: 'low' }), {});
});
