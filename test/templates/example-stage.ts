/**
 * TEMPLATE: a complete stage in one file, registered and run by test/templates/templates.test.ts, so it compiles
 * and works as written. A new stage (say `sign`): copy this file to `stages/sign/index.ts`, rename `digest`
 * (the stage, its section, its output), keep the imports (the same depth), and in stages/index.ts add the
 * stage to `stages` and its schema to `configSchema.properties` under its section's name. The labels another
 * stage outputs are in docs/architecture.md ("Stages and their outputs").
 *
 * Its parts: its section of the run config, its declaration (what it reads and writes: the key is made of it),
 * and its run. What a stage can declare beyond these (tools, user files, options, `when`, `cache: 'never'`) is
 * `Declaration` in pipeline/stage.ts, each field with its comment.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Static } from '@sinclair/typebox';
import { configSection, Enum, Section } from '../../pipeline/config/section.js';
import { ok } from '../../pipeline/result.js';
import { declareStage, defineStage, type ContextOf } from '../../pipeline/stage.js';

// 1. Its section of the run config (`digest:`): every field with its default, so no section at all is valid.
export const schema = Section({
  unit: Enum(['B', 'KiB'] as const, { default: 'KiB', description: 'The unit the size is written in.' }),
});
export type DigestConfig = Static<typeof schema>;

// 2. The declaration. Everything the run's result depends on is declared here, since it is what the key holds.
const declared = declareStage({
  name: 'digest',
  // Bump when the run changes what it writes: old entries stop matching.
  version: 1,
  description: "the optimized model's size and digest, as digest.json",
  // Its slice of the run config: all of it, and only it, enters the key.
  config: (root) => configSection(root, 'digest', schema),
  // Label → another stage's output (`stage`, and a label of its `outputs`); ctx.inputs.model is its path.
  inputs: { model: { stage: 'optimize', output: 'model' } },
  // Label → file name under artifacts/latest/; ctx.out(label) is where the run writes it.
  outputs: { digest: 'digest.json' },
});

/** The `ctx` its run gets; a run in a module of its own (`run.ts`) imports this type. */
export type Context = ContextOf<typeof declared>;

// 3. The run. Inline here; a heavy one goes in `run.ts` beside it, `run: lazyRun(() => import('./run.js'))`
// (pipeline/stage.ts), which `plan` never loads. A failure is a value (`fail(cause, message)`, pipeline/cause.ts).
async function run(ctx: Context) {
  const bytes = await readFile(ctx.inputs.model);
  const size = ctx.config.unit === 'KiB' ? bytes.length / 1024 : bytes.length;
  const written = {
    model: basename(ctx.inputs.model),
    size,
    unit: ctx.config.unit,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
  await writeFile(ctx.out('digest'), `${JSON.stringify(written, null, 2)}\n`);
  ctx.log.info(`${written.model}: ${size} ${ctx.config.unit}`);
  return ok(undefined);
}

/** The stage, as stages/index.ts lists it. */
const digestStage = defineStage({ ...declared, run });
export default digestStage;
