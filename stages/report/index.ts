/**
 * The `report` stage: report.md and a self-contained report.html from bench.json and passes.json, with the
 * charts as SVG and PNG files beside them, and the graph drawings when the graph stage ran.
 */
import { declareStage, defineStage, lazyRun, type ContextOf } from '../../pipeline/stage.js';
import { reportConfig } from './config.js';

const declared = declareStage({
  name: 'report',
  version: 3,
  description: 'report.md and a self-contained report.html with charts (SVG and PNG) and graph drawings',
  config: reportConfig,
  inputs: {
    bench: { stage: 'benchmark', output: 'bench' },
    // Absent when optimize declined: the report is made from what the benchmark measured (the last model).
    passes: { stage: 'optimize', output: 'passes', optional: true },
    graphRaw: { stage: 'graph', output: 'rawSvg', optional: true },
    graphOpt: { stage: 'graph', output: 'optSvg', optional: true },
  },
  outputs: {
    markdown: 'report.md',
    html: 'report.html',
    paretoSvg: 'pareto.svg',
    paretoPng: 'pareto.png',
    latencyRunsSvg: 'latency-runs.svg',
    latencyRunsPng: 'latency-runs.png',
    latencyDistSvg: 'latency-dist.svg',
    latencyDistPng: 'latency-dist.png',
    throughputSvg: 'throughput.svg',
    throughputPng: 'throughput.png',
    speedupSvg: 'speedup.svg',
    speedupPng: 'speedup.png',
  },
});

/** The report's `ctx`: bench.json, and passes.json and the drawings where they were made. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
