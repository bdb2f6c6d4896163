import { readFile, writeFile } from 'node:fs/promises';
import { inferShapes } from '../../onnx/infer/index.js';
import { readModelFile } from '../../onnx/serde.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { Context } from './index.js';
import { toDot } from './dot.js';
import { render } from './graphviz.js';
import { sideBySide } from './side-by-side.js';

/** The two drawings' headings and the page's title: the user's model by its name, "imported" not "built". */
function headings(ctx: Context, optimized: boolean) {
  const name = ctx.config.model;
  const source = name === undefined ? 'Raw (as built)' : 'Imported (as given)';
  const second = optimized ? 'Optimized' : 'Not optimized (optimize declined or changed nothing: the same model)';
  const title = `${name ?? 'MobileNetV2'}: ${name === undefined ? 'raw' : 'imported'} and optimized graphs`;
  return {
    title,
    variants: [
      { input: 'raw', prefix: 'raw', heading: source },
      { input: 'optimized', prefix: 'opt', heading: second },
    ] as const,
  };
}

export async function run(ctx: Context): Promise<Result<void, StageFailure>> {
  const { raw, optimized } = ctx.inputs;
  // Optimize declined when the last model produced is the source itself.
  const declined = Buffer.compare(await readFile(raw), await readFile(optimized)) === 0;
  const { title, variants } = headings(ctx, !declined);
  const panels: { heading: string; svg: string }[] = [];
  for (const v of variants) {
    const drawn = await draw(ctx, v.input, v.prefix, v.heading);
    if (!drawn.ok) return drawn;
    panels.push({ heading: v.heading, svg: await readFile(ctx.out(`${v.prefix}Svg`), 'utf8') });
  }
  await writeFile(ctx.out('page'), sideBySide(title, panels));
  return ok(undefined);
}
async function draw(ctx: Context, input: 'raw' | 'optimized', prefix: string, heading: string) {
  const path = ctx.inputs[input];
  const model = await readModelFile(path);
  if (!model.ok) return fail('bad-input', model.error);
  await writeFile(ctx.out(`${prefix}Dot`), toDot(model.value, inferShapes(model.value), heading, ctx.config));
  const dot = ctx.tools['dot'];
  if (!dot) throw new Error('Internal error: graph ran without the dot tool');
  for (const format of ['svg', 'png'] as const) {
    const r = await render(
      dot,
      ctx.exec,
      ctx.out(`${prefix}Dot`),
      format,
      ctx.out(`${prefix}${format === 'svg' ? 'Svg' : 'Png'}`),
    );
    if (!r.ok) return fail('tool-failed', r.error);
  }
  ctx.log.info(`drew ${heading.toLowerCase()} graph`, { nodes: model.value.graph.nodes.length });
  return ok(undefined);
}
