/**
 * The four charts as Vega-Lite specs, rendered headless: SVG through vega's own renderer (no canvas needed),
 * PNG from that SVG through resvg. Every chart is titled with what it shows and, under it, the machine, the
 * model and the precisions, so a PNG passed around on its own still says where it came from. Latency is on
 * log axes: a 6 ms and a 2 s engine share a chart and both stay readable. A chart with nothing to show is
 * left out with the reason. A noisy measurement (measure/noise.ts) is drawn dashed or hollow, and its
 * speed-up is not claimed: its bar is pale and reads "noisy".
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { BenchFile } from '../../measure/result.js';
import { isNoisy, machine, ranked, seriesName, speedups } from './series.js';
import { paretoPoints, paretoSpec } from './pareto.js';

export interface Chart {
  id: 'pareto' | 'latency-runs' | 'latency-dist' | 'throughput' | 'speedup';
  title: string;
  spec?: TopLevelSpec;
  /** Why the chart is absent, when `spec` is. */
  missing?: string;
}

const base = {
  $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
  background: 'white',
  config: {
    font: 'DejaVu Sans',
    title: { anchor: 'start', fontSize: 15, subtitleFontSize: 12, subtitleColor: '#495057', offset: 12 },
  },
} as const;

/** `machine · model · FP32, FP16`, the subtitle of every chart. */
export function provenance(bench: BenchFile): string {
  const precisions =
    [...new Set(bench.measurements.map((m) => m.precision.toUpperCase()))].sort().join(', ') || 'no precision';
  return `${machine(bench)} · ${bench.model.name} · ${precisions}`;
}

const titled = (text: string, bench: BenchFile) => ({ title: { text, subtitle: provenance(bench) } });
/** One panel per batch size, in numeric order. */
const perBatch = {
  column: {
    field: 'batch',
    type: 'ordinal',
    title: null,
    header: { labelFontSize: 13, labelExpr: "'batch ' + datum.value" },
  },
} as const;
const logMs = {
  field: 'ms',
  type: 'quantitative',
  title: 'latency (ms, log scale)',
  scale: { type: 'log' },
  axis: { tickCount: 6 },
} as const;

/** A noisy series dashed (latency over the runs), or pale (boxes, bars): drawn, but not as a steady one. */
const NOISY_DASH = {
  field: 'noisy',
  type: 'nominal',
  title: 'noisy',
  legend: { symbolType: 'stroke', symbolStrokeWidth: 2 },
  scale: {
    domain: [false, true],
    range: [
      [1, 0],
      [4, 3],
    ],
  },
};
// Ordinal, not nominal: false before true is an order, and vega-lite warns of an unsorted nominal opacity.
const paleIfNoisy = (opacity: number) => ({
  field: 'noisy',
  type: 'ordinal',
  legend: null,
  scale: { domain: [false, true], range: [1, opacity] },
});

/** Each timed run's latency in order, a line per engine, a panel per batch size. */
function runsSpec(runs: object[], panelWidth: number) {
  return {
    data: { values: runs },
    facet: perBatch,
    resolve: { scale: { x: 'independent' } },
    spec: {
      width: panelWidth,
      height: 240,
      mark: { type: 'line', strokeWidth: 1.2, point: { size: 10 } },
      encoding: {
        x: { field: 'run', type: 'quantitative', title: 'timed run' },
        y: logMs,
        color: { field: 'series', type: 'nominal', title: 'engine' },
        strokeDash: NOISY_DASH,
      },
    },
  };
}

/** The timed runs' latencies as a box per engine, a panel per batch size. */
function distributionSpec(runs: object[]) {
  return {
    data: { values: runs },
    facet: perBatch,
    spec: {
      width: { step: 60 },
      height: 220,
      mark: { type: 'boxplot', extent: 'min-max', size: 28 },
      encoding: {
        x: { field: 'series', type: 'nominal', title: null, axis: { labelAngle: -30, labelLimit: 160 } },
        y: logMs,
        color: { field: 'series', type: 'nominal', legend: null },
        opacity: paleIfNoisy(0.3),
      },
    },
  };
}

export function charts(bench: BenchFile): Chart[] {
  const shown = ranked(bench);
  const runs = shown.flatMap((m) =>
    m.samplesMs.map((ms, run) => ({ run: run + 1, ms, series: seriesName(m), batch: m.batch, noisy: isNoisy(m) })),
  );
  const none = shown.length === 0 ? 'no correct measurement to plot' : undefined;
  const chart = (id: Chart['id'], title: string, spec: () => object, missing = none): Chart =>
    missing
      ? { id, title, missing }
      : { id, title, spec: { ...base, ...titled(title, bench), ...spec() } as TopLevelSpec };
  // The panels together fit a 1400 px page: narrower as there are more batch sizes.
  const panels = new Set(shown.map((m) => m.batch)).size;
  const panelWidth = Math.max(200, Math.min(420, Math.floor(1150 / Math.max(1, panels)) - 70));
  const pareto = paretoPoints(bench);
  return [
    chart(
      'pareto',
      'Latency against error, the recommended engine marked',
      () => paretoSpec(pareto, panelWidth),
      pareto.length === 0 ? 'no measurement to plot' : undefined,
    ),
    chart('latency-runs', 'Latency over the timed runs (dashed: noisy)', () => runsSpec(runs, panelWidth)),
    chart('latency-dist', 'Latency distribution (box: quartiles, whiskers: min–max; pale: noisy)', () =>
      distributionSpec(runs),
    ),
    throughputChart(bench, chart),
    speedupChart(bench, chart, none),
  ];
}

type Maker = (id: Chart['id'], title: string, spec: () => object, missing?: string) => Chart;

/** Bars labelled with their value, fastest first. */
function speedupChart(bench: BenchFile, chart: Maker, none: string | undefined): Chart {
  const up = speedups(bench);
  const missing = none ?? (up.length === 0 ? 'no PyTorch eager FP32 measurement to compare with' : undefined);
  const values = [...up]
    .sort((a, b) => b.speedup - a.speedup)
    .map((u) => ({
      ...u,
      label: `${u.series} · batch ${u.batch}`,
      text: u.noisy ? 'noisy: no claim' : `${u.speedup >= 10 ? u.speedup.toFixed(0) : u.speedup.toFixed(2)}×`,
    }));
  const spec = () => ({
    width: 460,
    height: { step: 22 },
    // Sorted above and plotted in data order: a sort in a layered chart conflicts between its layers.
    data: { values },
    encoding: {
      y: { field: 'label', type: 'nominal', title: null, sort: null, axis: { labelLimit: 360 } },
      x: { field: 'speedup', type: 'quantitative', title: '× faster than eager (p50)' },
    },
    layer: [
      {
        mark: 'bar',
        encoding: {
          color: { field: 'series', type: 'nominal', legend: null },
          opacity: paleIfNoisy(0.25),
        },
      },
      { mark: { type: 'text', align: 'left', dx: 4, fontSize: 12 }, encoding: { text: { field: 'text' } } },
    ],
  });
  return chart(
    'speedup',
    'Speed-up over PyTorch eager FP32 (p50, same batch and device; none claimed where either is noisy)',
    spec,
    missing,
  );
}

function throughputChart(bench: BenchFile, chart: Maker): Chart {
  const perBatch = ranked(bench).map((m) => ({
    series: seriesName(m),
    batch: m.batch,
    throughput: m.throughput,
    noisy: isNoisy(m),
  }));
  const batches = [...new Set(perBatch.map((p) => p.batch))].sort((a, b) => a - b);
  return chart('throughput', 'Throughput against batch size (hollow: noisy)', () => ({
    width: 460,
    height: 260,
    data: { values: perBatch },
    encoding: {
      // Ticks exactly at the measured batch sizes; a log axis keeps 1, 8 and 64 apart.
      x: {
        field: 'batch',
        type: 'quantitative',
        title: 'batch size',
        scale: { type: 'log', base: 2, nice: false, padding: 16 },
        axis: { values: batches, format: 'd', grid: true },
      },
      y: { field: 'throughput', type: 'quantitative', title: 'items/s (log scale)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: 'engine' },
    },
    layer: [
      { mark: 'line' },
      ...[false, true].map((noisy) => ({
        transform: [{ filter: `${noisy ? '' : '!'}datum.noisy` }],
        mark: { type: 'point', size: 50, filled: !noisy, strokeWidth: 2 },
      })),
    ],
  }));
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
  return new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
}
