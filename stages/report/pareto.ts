/**
 * The verdict's chart: every measurement's latency (p50) against its error (relative L2 against the correctness
 * reference; max abs where the reference is all zero), both on log axes, one panel per batch size. The Pareto
 * front (nothing both faster and more accurate) is joined by a line; the recommended point (verdict.ts) is a
 * large diamond labelled "chosen"; a noisy measurement is a hollow circle, a flagged one a cross.
 */
import type { BenchFile, Measurement } from '../../measure/result.js';
import { seriesName } from './series.js';

/** An error of exactly 0 has no place on a log axis: it is drawn at this floor, which the axis title states. */
export const ERROR_FLOOR = 1e-9;

/** The legend's words: shape alone cannot say hollow, so the label does. */
const STATES = ['chosen', 'steady', 'noisy (hollow)', 'flagged (wrong)'] as const;
type State = (typeof STATES)[number];

export interface ParetoPoint {
  series: string;
  batch: number;
  ms: number;
  error: number;
  state: State;
  front: boolean;
}

const errorOf = (m: Measurement): number => {
  const c = m.correctness;
  if (!c) return ERROR_FLOOR;
  return Math.max(ERROR_FLOOR, c.zeroReference ? c.maxAbs : c.relL2);
};

export function paretoPoints(bench: BenchFile): ParetoPoint[] {
  const chosen = new Map(bench.recommendation?.batches.map((b) => [b.batch, b.chosen]) ?? []);
  const points = bench.measurements
    .filter((m) => Number.isFinite(errorOf(m)))
    .map((m): ParetoPoint => {
      const c = chosen.get(m.batch);
      const isChosen = c !== undefined && c.engine === m.engine && c.precision === m.precision && c.p50 === m.stats.p50;
      const state: State = isChosen
        ? 'chosen'
        : m.correctness?.ok === false
          ? 'flagged (wrong)'
          : m.noise?.noisy
            ? 'noisy (hollow)'
            : 'steady';
      return { series: seriesName(m), batch: m.batch, ms: m.stats.p50, error: errorOf(m), state, front: false };
    });
  for (const p of points) {
    const dominated = points.some(
      (q) => q !== p && q.batch === p.batch && q.ms <= p.ms && q.error <= p.error && (q.ms < p.ms || q.error < p.error),
    );
    p.front = !dominated;
  }
  return points;
}

/** The Vega-Lite spec's body (data, facet, layers); charts.ts adds the title and the common config. */
export function paretoSpec(points: readonly ParetoPoint[], panelWidth: number): object {
  const x = {
    field: 'error',
    type: 'quantitative',
    title: `error vs reference (relative L2, log scale; 0 drawn at ${ERROR_FLOOR})`,
    scale: { type: 'log' },
    axis: { format: '.0e', tickCount: 6 },
  };
  const y = { field: 'ms', type: 'quantitative', title: 'p50 latency (ms, log scale)', scale: { type: 'log' } };
  const shape = {
    field: 'state',
    type: 'nominal',
    title: 'measurement',
    scale: {
      domain: [...STATES],
      range: ['diamond', 'circle', 'circle', 'cross'],
    },
  };
  return {
    data: { values: points },
    facet: {
      column: { field: 'batch', type: 'ordinal', title: null, header: { labelExpr: "'batch ' + datum.value" } },
    },
    spec: {
      width: panelWidth,
      height: 260,
      layer: [
        {
          transform: [{ filter: 'datum.front' }],
          mark: { type: 'line', color: '#adb5bd', strokeDash: [4, 3] },
          encoding: { x: { ...x, sort: null }, y, order: { field: 'error', type: 'quantitative' } },
        },
        ...[true, false].map((filled) => ({
          transform: [{ filter: `${filled ? '!' : ''}(datum.state === 'noisy (hollow)')` }],
          mark: { type: 'point', strokeWidth: 2, filled },
          encoding: {
            x,
            y,
            shape,
            color: { field: 'series', type: 'nominal', title: 'engine' },
            size: { condition: { test: "datum.state === 'chosen'", value: 260 }, value: 70 },
          },
        })),
        {
          transform: [{ filter: "datum.state === 'chosen'" }],
          mark: { type: 'text', dy: -14, fontSize: 12, fontWeight: 'bold' },
          encoding: { x, y, text: { value: 'chosen' } },
        },
      ],
    },
  };
}
