/** The report's tables as plain rows, so Markdown and HTML render the same content. */
import type { BenchFile, Measurement } from '../benchmark/result.js';
import { flagged, ms, ranked, seriesName } from './series.js';

/** The benchmarked input, a dynamic batch shown as N. */
export const inputShape = (bench: BenchFile): string => bench.model.inputShape.map((d) => (d < 0 ? 'N' : String(d))).join('×');

export interface Table {
  title: string;
  head: string[];
  rows: string[][];
  /** Shown instead of an empty table. */
  empty: string;
}

/** The passes.json fields the report reads; anything else in the file is ignored. */
export interface PassesFile {
  passes: { pass: string; changed: boolean; nodesBefore: number; nodesAfter: number; ms: number }[];
  totalMs?: number;
  nodes?: { before: number; after: number };
}

const correctness = (m: Measurement): string =>
  m.correctness ? `${m.correctness.relL2.toExponential(1)} / ${(m.correctness.top1 * 100).toFixed(0)} %` : 'reference';

const measurementRow = (m: Measurement, rank: string): string[] => [
  rank, seriesName(m), String(m.batch), m.device, ms(m.stats.p50, m.stats.n), ms(m.stats.p90, m.stats.n), ms(m.stats.p99, m.stats.n),
  `${ms(m.stats.mean, m.stats.n)} ± ${ms(m.stats.stddev, m.stats.n)}`, Math.round(m.throughput).toLocaleString('en-US'), correctness(m), String(m.stats.n),
];

const HEAD = ['#', 'engine', 'batch', 'device', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ± sd ms', 'images/s', 'rel L2 / top-1', 'runs'];

export function tables(bench: BenchFile, passes: PassesFile | undefined): Table[] {
  let rank = 0, batch = -1;
  const rows = ranked(bench).map((m) => {
    if (m.batch !== batch) [rank, batch] = [0, m.batch];
    return measurementRow(m, String(++rank));
  });
  const env = bench.environment;
  return [
    { title: 'Ranking (fastest p50 first within each batch size)', head: HEAD, rows, empty: 'No engine produced a correct measurement.' },
    {
      title: 'Flagged: fast but wrong (outside the correctness tolerance, not ranked)', head: HEAD,
      rows: flagged(bench).map((m) => measurementRow(m, '⚠')), empty: 'None: every measured engine agrees with the FP32 reference.',
    },
    {
      title: 'Skipped engines', head: ['engine', 'precision', 'why'],
      rows: bench.skipped.map((s) => [s.engine, s.precision ?? 'all', s.reason]), empty: 'None.',
    },
    {
      title: 'Optimization passes (passes.json)', head: ['pass', 'changed', 'nodes before', 'nodes after', 'ms'],
      rows: (passes?.passes ?? []).map((p) => [p.pass, p.changed ? 'yes' : 'no', String(p.nodesBefore), String(p.nodesAfter), p.ms.toFixed(2)]),
      empty: 'No passes.json.',
    },
    {
      title: 'Environment', head: ['what', 'value'],
      rows: [
        ['CPU', `${env.cpu.model} (${env.cpu.cores} cores)`],
        ['GPU', env.gpu ? `${env.gpu.name}${env.gpu.computeCapability ? `, compute ${env.gpu.computeCapability}` : ''}${env.gpu.driver ? `, driver ${env.gpu.driver}` : ''}` : 'none'],
        ['OS', env.os], ['Node', env.node],
        ...Object.entries(env.versions).map(([k, v]) => [k, v]),
        ['model', `${bench.model.name}, input ${inputShape(bench)}, sha256 ${bench.model.sha256.slice(0, 12)}`],
        ['measured', bench.createdAt],
      ],
      empty: '',
    },
  ];
}

/** How each engine's clock was read, once per distinct description. */
export const timingNotes = (bench: BenchFile): string[] =>
  [...new Set(bench.measurements.map((m) => `${m.engine}: ${m.timing}; ${m.warmup} warm-up runs excluded`))];
