import { readFile, writeFile } from 'node:fs/promises';
import { inferShapes } from '../../onnx/infer/index.js';
import { readModelFile } from '../../onnx/serde.js';
import { ok, type Result } from '../../pipeline/result.js';
import { fail } from '../../pipeline/cause.js';
import type { StageContext, StageFailure } from '../../pipeline/stage.js';
import type { GraphConfig } from './config.js';
import { toDot } from './dot.js';
import { render } from './graphviz.js';
import { sideBySide } from './side-by-side.js';

const VARIANTS = [
  { input: 'raw', prefix: 'raw', heading: 'Raw (as built)' },
  { input: 'optimized', prefix: 'opt', heading: 'Optimized' },
] as const;

export async function run(ctx: StageContext<GraphConfig>): Promise<Result<void, StageFailure>> {
  const panels: { heading: string; svg: string }[] = [];
  for (const v of VARIANTS) {
    const drawn = await draw(ctx, v.input, v.prefix, v.heading);
    if (!drawn.ok) return drawn;
    panels.push({ heading: v.heading, svg: await readFile(ctx.out(`${v.prefix}Svg`), 'utf8') });
  }
  await writeFile(ctx.out('page'), sideBySide('MobileNetV2: raw and optimized graphs', panels));
  return ok(undefined);
}

async function draw(ctx: StageContext<GraphConfig>, input: 'raw' | 'optimized', prefix: string, heading: string) {
  const path = ctx.inputs[input];
  if (!path) throw new Error(`Internal error: graph ran without its ${input} input`);
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
