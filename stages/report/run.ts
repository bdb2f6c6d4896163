import { readFile, writeFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fail } from '../../pipeline/cause.js';
import { ok, type Result } from '../../pipeline/result.js';
import type { StageFailure } from '../../pipeline/stage.js';
import type { BenchFile } from '../../measure/result.js';
import { charts, toPng, toSvg, type Chart } from './charts.js';
import type { Context } from './index.js';
import { html } from './html.js';
import { markdown } from './markdown.js';
import type { PassesFile } from './tables.js';

const CHART_OUTPUTS = {
  pareto: ['paretoSvg', 'paretoPng'],
  'latency-runs': ['latencyRunsSvg', 'latencyRunsPng'],
  'latency-dist': ['latencyDistSvg', 'latencyDistPng'],
  throughput: ['throughputSvg', 'throughputPng'],
  speedup: ['speedupSvg', 'speedupPng'],
} as const satisfies Record<Chart['id'], readonly [string, string]>;

export async function run(ctx: Context): Promise<Result<void, StageFailure>> {
  const read = async <T>(label: 'bench' | 'passes'): Promise<T | string | undefined> => {
    const path = ctx.inputs[label];
    if (!path) return undefined;
    try {
      return JSON.parse(await readFile(path, 'utf8')) as T;
    } catch (e) {
      return `${path}: not readable JSON (${e instanceof Error ? e.message : String(e)})`;
    }
  };
  const bench = await read<BenchFile>('bench');
  const passes = await read<PassesFile>('passes');
  if (bench === undefined) throw new Error('Internal error: report ran without bench');
  if (typeof bench === 'string') return fail('bad-input', bench);
  if (typeof passes === 'string') return fail('bad-input', passes);

  const rendered: { chart: Chart; svg?: string }[] = [];
  for (const chart of charts(bench)) {
    const svg = chart.spec ? await toSvg(chart.spec) : placeholder(`${chart.title}: ${chart.missing}`);
    const [svgLabel, pngLabel] = CHART_OUTPUTS[chart.id];
    await writeFile(ctx.out(svgLabel), svg);
    await writeFile(ctx.out(pngLabel), toPng(svg, ctx.config.png_scale));
    rendered.push(chart.spec ? { chart, svg } : { chart });
  }
  const drawings = [];
  for (const [label, heading] of [
    ['graphRaw', 'Raw graph'],
    ['graphOpt', 'Optimized graph'],
  ] as const) {
    const path = ctx.inputs[label];
    if (path) drawings.push({ heading, svg: await readFile(path, 'utf8'), file: basename(path) });
  }
  await writeFile(
    ctx.out('markdown'),
    markdown(
      ctx.config.title,
      bench,
      passes,
      rendered.map((r) => r.chart),
    ),
  );
  await writeFile(ctx.out('html'), html(ctx.config.title, bench, passes, rendered, drawings));
  // Which benchmark it renders (the newest complete one under `report`): when, and what it measured.
  const measured = <T>(f: (m: BenchFile['measurements'][number]) => T) => [...new Set(bench.measurements.map(f))];
  ctx.log.info(`wrote report from the benchmark measured ${bench.createdAt}`, {
    engines: measured((m) => m.engine),
    precisions: measured((m) => m.precision),
    batches: measured((m) => m.batch),
    measurements: bench.measurements.length,
    charts: rendered.filter((r) => r.svg).length,
    drawings: drawings.length,
  });
  return ok(undefined);
}

/** A chart that cannot be drawn still gets its files, saying why. */
function placeholder(text: string): string {
  const safe = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="480" height="40">' +
    `<text x="8" y="24" font-family="DejaVu Sans" font-size="13">${safe}</text></svg>`
  );
}
