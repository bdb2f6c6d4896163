/**
 * The four charts as Vega-Lite specs, rendered headless: SVG through vega's own renderer (no canvas needed),
 * PNG from that SVG through resvg. A chart with nothing to show is left out with the reason.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchFile } from '../benchmark/result.js';
import { ranked, seriesName, speedups } from './series.js';

export interface Chart {
  id: 'latency-runs' | 'latency-dist' | 'throughput' | 'speedup';
  title: string;
  spec?: TopLevelSpec;
  /** Why the chart is absent, when `spec` is. */
  missing?: string;
}

const base = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config: { font: 'DejaVu Sans' } } as const;

export function charts(bench: BenchFile): Chart[] {
  const shown = ranked(bench);
  const runs = shown.flatMap((m) => m.samplesMs.map((ms, run) => ({ run, ms, series: seriesName(m), batch: `batch ${m.batch}` })));
  const perBatch = shown.map((m) => ({ series: seriesName(m), batch: m.batch, throughput: m.throughput, p50: m.stats.p50 }));
  const up = speedups(bench);
  const none = shown.length === 0 ? 'no correct measurement to plot' : undefined;
  return [
    {
      id: 'latency-runs', title: 'Latency over the timed runs',
      ...(none ? { missing: none } : { spec: {
        ...base, data: { values: runs },
        facet: { column: { field: 'batch', type: 'nominal', title: null } }, resolve: { scale: { y: 'independent' } },
        spec: { width: 320, height: 200, mark: { type: 'line', strokeWidth: 1.2 }, encoding: {
          x: { field: 'run', type: 'quantitative', title: 'run' },
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', title: 'engine' } } },
      } as TopLevelSpec }),
    },
    {
      id: 'latency-dist', title: 'Latency distribution',
      ...(none ? { missing: none } : { spec: {
        ...base, data: { values: runs },
        facet: { column: { field: 'batch', type: 'nominal', title: null } }, resolve: { scale: { y: 'independent' } },
        spec: { width: 240, height: 200, mark: { type: 'boxplot', extent: 'min-max' }, encoding: {
          x: { field: 'series', type: 'nominal', title: null, axis: { labelAngle: -30 } },
          y: { field: 'ms', type: 'quantitative', title: 'latency (ms)', scale: { zero: false } },
          color: { field: 'series', type: 'nominal', legend: null } } },
      } as TopLevelSpec }),
    },
    {
      id: 'throughput', title: 'Throughput against batch size',
      ...(none ? { missing: none } : { spec: {
        ...base, width: 420, height: 240, data: { values: perBatch },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'batch', type: 'quantitative', title: 'batch size', scale: { type: 'log', base: 2 } },
          y: { field: 'throughput', type: 'quantitative', title: 'images/s' },
          color: { field: 'series', type: 'nominal', title: 'engine' } },
      } as TopLevelSpec }),
    },
    {
      id: 'speedup', title: 'Speed-up over PyTorch eager (FP32, same batch and device)',
      ...(up.length === 0 ? { missing: 'no PyTorch eager FP32 measurement to compare with' } : { spec: {
        ...base, width: 420, height: { step: 16 }, data: { values: up.map((u) => ({ ...u, label: `${u.series} · b${u.batch}` })) },
        mark: 'bar',
        encoding: {
          y: { field: 'label', type: 'nominal', title: null, sort: '-x', axis: { labelLimit: 320 } },
          x: { field: 'speedup', type: 'quantitative', title: '× faster than eager (p50)' },
          color: { field: 'series', type: 'nominal', legend: null } },
      } as TopLevelSpec }),
    },
  ];
}

export async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export function toPng(svg: string, scale: number): Uint8Array {
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: scale }, background: 'white', font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } })
    .render()
    .asPng();
}
