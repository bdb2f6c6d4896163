/**
 * TEMPLATE: a complete stage in one file, registered and run by test/templates/templates.test.ts, so it compiles
 * and works as written. A new stage (say `sign`): copy this file to `stages/sign/index.ts`, rename `digest`
 * (the stage, its section, its output), keep the imports (the same depth), and in stages/index.ts add the
 * stage to `stages` and its schema to `configSchema.properties` under its section's name. The labels another
 * stage outputs are in docs/architecture.md ("Stages and their outputs").
 *
 * Its parts: its section of the run config, the external program it runs (a `ToolSpec`), its declaration (what
 * it reads, a user's file among it, and what it writes: the key is made of it), and its run. The program here is
 * `example-stamp` (the test's fake speaks it): `--version`; `stamp --in F --key K --out S` writes S, a stamp of F
 * made with the key file K. What a stage can declare beyond these (run options, `when`, `cache: 'never'`, a
 * `summary`) is `Declaration` in pipeline/stage.ts, each field with its comment.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Enum, Section } from '../../pipeline/config/section.js';
import { fail } from '../../pipeline/cause.js';
import { err, ok } from '../../pipeline/result.js';
import { declareStage, defineStage, type ContextOf, type ToolSpec } from '../../pipeline/stage.js';

// 1. Its section of the run config (`digest:`): every field with its default (or optional), so no section at all
// is valid.
export const schema = Section({
  unit: Enum(['B', 'KiB'] as const, { default: 'KiB', description: 'The unit the size is written in.' }),
  key: Type.Optional(Type.String({ description: 'The key file the stamp is made with; none: no stamp.' })),
  tool: Type.String({ default: 'example-stamp', description: 'The stamping program: a path, or a name on PATH.' }),
});
export type DigestConfig = Static<typeof schema>;
const digestConfig = (root: Readonly<Record<string, unknown>>): DigestConfig => configSection(root, 'digest', schema);

// 2. The program it runs. `probe` finds it and asks its version, which enters the stage's key (a new version
// re-runs the stage); it never throws: a missing program is a value, and the stage is then skipped with the
// message (failed where the user passed `--require example-stamp`). `config` is the stage's config slice.
export const stampTool: ToolSpec<{ tool: string }> = {
  name: 'example-stamp',
  async probe(config, exec) {
    const run = await exec(config.tool, ['--version']);
    if (run.exitCode !== 0) {
      const why = run.spawnError ?? (run.stderr.trim() || `exit ${run.exitCode}`);
      return err({ message: `example-stamp not usable (${config.tool}): ${why}; set digest.tool` });
    }
    // `command`: how the run calls it (a path, or a prefix such as `docker run … image`).
    return ok({ command: [config.tool], fingerprint: { version: run.stdout.trim() } });
  },
};

// 3. The declaration. Everything the run's result depends on is declared here, since it is what the key holds.
const declared = declareStage({
  name: 'digest',
  // Bump when the run changes what it writes: old entries stop matching.
  version: 1,
  description: "the optimized model's size and digest, as digest.json, stamped with the user's key",
  // Its slice of the run config: all of it, and only it, enters the key. A path is left out: the file it names
  // enters the key by its content, through `files` (so a renamed key file is a hit, a changed one a miss).
  config: (root) => {
    const { key: _path, ...slice } = digestConfig(root);
    return slice;
  },
  // The user's files: label → the path as the config gives it (`undefined`: none). Each is hashed into the key;
  // the run reads it as `ctx.inputs.key`. A file that cannot be read fails the stage before it runs.
  files: async (root) => ok({ key: digestConfig(root).key }),
  // The programs it runs, probed before it runs; the run finds each as `ctx.tools[name]`.
  tools: [stampTool],
  // Label → another stage's output (`stage`, and a label of its `outputs`); ctx.inputs.model is its path.
  inputs: { model: { stage: 'optimize', output: 'model' } },
  // Label → file name under artifacts/latest/; ctx.out(label) is where the run writes it.
  outputs: { digest: 'digest.json', stamp: 'digest.stamp' },
});

/** The `ctx` its run gets; a run in a module of its own (`run.ts`) imports this type. */
export type Context = ContextOf<typeof declared>;

// 4. The run. Inline here; a heavy one goes in `run.ts` beside it, `run: lazyRun(() => import('./run.js'))`
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
  // No key file: an empty stamp (an output is always written). Else the program, through ctx.exec (an argument
  // array, never a shell; it does not throw: exitCode, stdout, stderr), stopped with the run by ctx.signal.
  if (!ctx.inputs.key) {
    await writeFile(ctx.out('stamp'), '');
    return ok(undefined);
  }
  const tool = ctx.tools[stampTool.name]!;
  const argv = ['stamp', '--in', ctx.out('digest'), '--key', ctx.inputs.key, '--out', ctx.out('stamp')];
  const stamped = await ctx.exec(tool.command[0]!, [...tool.command.slice(1), ...argv], { signal: ctx.signal });
  if (stamped.exitCode !== 0) return fail('tool-failed', `example-stamp failed: ${stamped.stderr.trim()}`);
  return ok(undefined);
}

/** The stage, as stages/index.ts lists it. */
const digestStage = defineStage({ ...declared, run });
export default digestStage;
