/** The report's tables as plain rows, so Markdown and HTML render the same content. */
import type { BenchFile, Measurement } from '../../measure/result.js';
import { describeInputs } from '../../measure/feeds.js';
import { loadCell, noiseCell } from './noise-text.js';
import { flagged, ms, ranked, seriesName } from './series.js';
import { startupTable } from './startup.js';

/** Every benchmarked input by name, element type and shape, the batch dimension shown as N. */
export const inputShape = (bench: BenchFile): string => describeInputs(bench.model.inputs);

export interface Table {
  title: string;
  head: string[];
  rows: string[][];
  /** Per column: `r` for figures (right-aligned), `l` for words; prose reads from the left. */
  align: string;
  /** Shown instead of an empty table. */
  empty: string;
}

/** The passes.json fields the report reads; anything else in the file is ignored. */
export interface PassesFile {
  passes: { pass: string; changed: boolean; nodesBefore: number; nodesAfter: number; ms: number }[];
  /** Every application of a pass, round by round. */
  steps?: { pass: string; round: number; changed: boolean; nodesBefore: number; nodesAfter: number; ms: number }[];
  totalMs?: number;
  nodes?: { before: number; after: number };
}

const correctness = (m: Measurement): string => {
  const c = m.correctness;
  if (!c) return 'reference';
  const top1 = c.top1 === undefined ? '' : ` / ${(c.top1 * 100).toFixed(0)} %`;
  const zero = c.zeroReference ? ' (reference below the scale floor: judged by absolute error)' : '';
  const task = c.task ? `; ${c.task.metric} ${(c.task.value * 100).toFixed(1)} % of ${c.task.samples}` : '';
  return `${c.relL2.toExponential(1)} / ${c.maxAbs.toExponential(1)}${top1}${zero}${task}`;
};

/** `48 (10 s limit)`: how many timed samples, and what stopped them. */
export const samplesTaken = (m: Measurement, maxSeconds?: number): string => {
  const s = m.sampling;
  if (!s) return String(m.stats.n);
  const why =
    s.stoppedBy === 'runs' ? 'all runs' : s.stoppedBy === 'trtexec' ? 'trtexec' : `${maxSeconds ?? ''} s limit`.trim();
  return `${s.n} (${why})`;
};

const measurementRow = (m: Measurement, rank: string, maxSeconds?: number): string[] => [
  rank,
  seriesName(m),
  String(m.batch),
  m.device,
  ms(m.stats.p50, m.stats.n),
  ms(m.stats.p90, m.stats.n),
  ms(m.stats.p99, m.stats.n),
  `${ms(m.stats.mean, m.stats.n)} ± ${ms(m.stats.stddev, m.stats.n)}`,
  Math.round(m.throughput).toLocaleString('en-US'),
  correctness(m),
  samplesTaken(m, maxSeconds),
  noiseCell(m),
  loadCell(m),
];

const HEAD = [
  '#',
  'engine',
  'batch',
  'device',
  'p50 ms',
  'p90 ms',
  'p99 ms',
  'mean ± sd ms',
  'items/s',
  'rel L2 / max abs / top-1; task',
  'samples (stopped by)',
  'noise (rule: docs/benchmark.md)',
  'machine while measuring',
];
const ALIGN = 'rlrlrrrrrlrll';

/** Per pass, its own nodes before → after in each round it ran (a pass that changed nothing shows one count). */
export function passesTable(passes: PassesFile | undefined): Table {
  const steps = passes?.steps;
  const title = 'Optimization passes (passes.json), nodes before → after in each round';
  if (!steps) {
    return {
      title,
      head: ['pass', 'changed', 'nodes before', 'nodes after', 'ms'],
      align: 'llrrr',
      empty: passes
        ? 'No passes.json.'
        : 'None: optimize declined (the manifest says why); the model was measured as it came.',
      rows: (passes?.passes ?? []).map((p) => [
        p.pass,
        p.changed ? 'yes' : 'no',
        String(p.nodesBefore),
        String(p.nodesAfter),
        p.ms.toFixed(2),
      ]),
    };
  }
  const rounds = [...new Set(steps.map((s) => s.round))].sort((a, b) => a - b);
  const names = [...new Set(steps.map((s) => s.pass))];
  const rows = names.map((pass) => {
    const own = steps.filter((s) => s.pass === pass);
    const cells = rounds.map((r) => {
      const s = own.find((x) => x.round === r);
      return !s ? '–' : s.changed ? `${s.nodesBefore} → ${s.nodesAfter}` : `${s.nodesAfter} (no change)`;
    });
    return [pass, ...cells, own.reduce((a, s) => a + s.ms, 0).toFixed(2)];
  });
  return {
    title,
    head: ['pass', ...rounds.map((r) => `round ${r}`), 'ms (all rounds)'],
    align: `l${'r'.repeat(rounds.length)}r`,
    rows,
    empty: 'No passes ran.',
  };
}

const skippedTable = (bench: BenchFile): Table => ({
  title: 'Skipped engines',
  head: ['engine', 'precision', 'why'],
  align: 'lll',
  rows: bench.skipped.map((s) => [s.engine, s.precision ?? 'all', s.reason]),
  empty: 'None.',
});

export function tables(bench: BenchFile, passes: PassesFile | undefined): Table[] {
  let rank = 0;
  let batch = -1;
  const max = bench.budget?.maxSeconds;
  const rows = ranked(bench).map((m) => {
    if (m.batch !== batch) [rank, batch] = [0, m.batch];
    return measurementRow(m, String(++rank), max);
  });
  return [
    {
      title: 'Ranking (fastest p50 first within each batch size; a noisy one is listed, never recommended)',
      head: HEAD,
      align: ALIGN,
      rows,
      empty: 'No engine produced a correct measurement.',
    },
    {
      title: 'Flagged: fast but wrong (outside the correctness tolerance, not ranked)',
      head: HEAD,
      align: ALIGN,
      rows: flagged(bench).map((m) => measurementRow(m, '⚠', max)),
      empty: bench.reference?.notFinite
        ? "None judged: the model's own output is not finite (How the figures were taken says which)."
        : 'None: every measured engine agrees with the correctness reference.',
    },
    skippedTable(bench),
    startupTable(bench),
    passesTable(passes),
    environmentTable(bench),
  ];
}

/** The machine, the tools and the model: what a figure of this report was measured on. */
function environmentTable(bench: BenchFile): Table {
  const env = bench.environment;
  return {
    title: 'Environment',
    head: ['what', 'value'],
    align: 'll',
    rows: [
      ['CPU', `${env.cpu.model} (${env.cpu.cores} cores)`],
      [
        'GPU',
        env.gpu
          ? [
              env.gpu.name,
              ...(env.gpu.computeCapability ? [`compute ${env.gpu.computeCapability}`] : []),
              ...(env.gpu.driver ? [`driver ${env.gpu.driver}`] : []),
            ].join(', ')
          : 'none',
      ],
      ['OS', env.os],
      ['Node', env.node],
      ...Object.entries(env.versions).map(([k, v]) => [k, v]),
      ...(bench.model.source
        ? [['model', `${bench.model.source.name}: ${bench.model.source.path}, sha256 ${bench.model.source.sha256}`]]
        : []),
      ['model measured', `${bench.model.name}, sha256 ${bench.model.sha256.slice(0, 12)}`],
      ['inputs', inputShape(bench)],
      ...(bench.budget ? [['sampling', samplingRule(bench.budget)]] : []),
      ['measured', bench.createdAt],
    ],
    empty: '',
  };
}

/**
 * How each engine's clock was read, once per engine, with the warm-up runs it excluded; then, in one line, the
 * correctness reference (absent from a bench.json written before it was recorded).
 */
export function timingNotes(bench: BenchFile): string[] {
  const engines = [...new Set(bench.measurements.map((m) => m.engine))];
  const clocks = engines.map((e) => {
    const ms = bench.measurements.filter((m) => m.engine === e);
    const warm = ms.map((m) => m.warmup);
    const [lo, hi] = [Math.min(...warm), Math.max(...warm)];
    return `${e}: ${ms[0]!.timing}; ${lo === hi ? lo : `${lo}–${hi}`} warm-up runs excluded`;
  });
  const cal = bench.calibration;
  if (cal) clocks.push(`machine speed: ${cal.workload}, timed between the samples of each measurement`);
  const r = bench.reference;
  if (!r) return clocks;
  if (r.notFinite) return [...clocks, `correctness: ${r.notFinite}`];
  const threads = `${r.intraOpThreads} intra-op and ${r.interOpThreads} inter-op thread`;
  return [
    ...clocks,
    `correctness reference: ${r.model} (sha256 ${r.sha256.slice(0, 12)}, before optimization) on ${r.runtime}, ` +
      `graph optimization ${r.graphOptimizationLevel}, ${threads}; every engine's error is against it`,
  ];
}

/** The sampling rule every measurement ran under, in words. */
export const samplingRule = (b: NonNullable<BenchFile['budget']>): string =>
  `timed runs until ${b.runs} samples or ${b.maxSeconds} s (at least ${Math.min(10, b.runs)}); ` +
  `warm-up ${b.warmup} runs or ${b.warmupMaxSeconds} s`;
