/**
 * The report from a real measurement (onnxruntime-node and Debian's PyTorch on a small MobileNetV2), opened in
 * headless Chromium as served by nginx: it renders, the charts are there, nothing else is fetched, no console
 * errors. The screenshot is kept in a temporary folder the test names in its diagnostics.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { test } from 'node:test';
import type { BenchFile } from '../../../measure/result.js';
import benchmark from '../../../stages/benchmark/index.js';
import { decideConfig } from '../../../measure/decide-config.js';
import { defaults as modelDefaults } from '../../../stages/build/config.js';
import report from '../../../stages/report/index.js';
import { ranked, speedups } from '../../../stages/report/series.js';
import graph from '../../../stages/graph/index.js';
import { dotTool } from '../../../stages/graph/graphviz.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { optimizedMobileNetV2, stageContext } from '../optimize/stage-context.js';
import { openInChromium, type PageView } from './chromium.js';
import { serveWithNginx } from './nginx.js';
import { benchConfig, kitSections } from '../../../stages/benchmark/kits.js';

const model = { ...modelDefaults, width_mult: 0.35, input_size: 64, num_classes: 10, dynamic_batch: true };

async function measuredReport() {
  const { raw, optimize: opt } = await optimizedMobileNetV2(model);

  const root = {
    bench: {
      warmup: 2,
      runs: 12,
      max_seconds: 600,
      batch_sizes: [1, 2],
      engines: ['ort', 'torch-eager'],
      precisions: ['fp32'],
    },
  };
  const { ctx: bench } = await stageContext(
    { bench: benchConfig(root), model: {}, ...kitSections({}), decide: decideConfig({}) },
    { model: opt.out('model'), source: raw, check_data: {} },
    benchmark.outputs,
  );
  const measured = await benchmark.run(bench);
  assert.ok(measured.ok, measured.ok ? '' : measured.error.message);

  // The graph drawings when GraphViz is here, placed beside report.html as artifacts/latest/ has them.
  const drawn: Record<string, string> = {};
  const dot = await dotTool.probe({}, exec);
  if (dot.ok) {
    const { ctx: g } = await stageContext(
      { rankdir: 'TB' as const, attributes: true },
      { raw, optimized: opt.out('model') },
      graph.outputs,
    );
    g.tools = { dot: dot.value };
    assert.ok((await graph.run(g)).ok);
    Object.assign(drawn, { graphRaw: g.out('rawSvg'), graphOpt: g.out('optSvg'), page: g.out('page') });
  }
  const { ctx } = await stageContext(
    { title: 'report test', png_scale: 1 },
    {
      bench: bench.out('bench'),
      passes: opt.out('passes'),
      ...(dot.ok ? { graphRaw: drawn['graphRaw'], graphOpt: drawn['graphOpt'] } : {}),
    },
    report.outputs,
  );
  const r = await report.run(ctx);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  for (const file of Object.values(drawn)) await copyFile(file, join(dirname(ctx.out('html')), basename(file)));
  return { ctx, drawn: dot.ok, bench: JSON.parse(await readFile(bench.out('bench'), 'utf8')) as BenchFile };
}

/** The ranking, the passes table, the model's inputs, the sampling, the reference and the alignment. */
function checkMarkdown(md: string, engines: Set<string>): void {
  for (const e of engines) assert.match(md, new RegExp(`\\| ${e} fp32 \\|`), `${e} appears in the ranking`);
  assert.match(
    md,
    /\| fold-batchnorm \| (\d+) → (\d+) \|/,
    'the passes table shows BatchNorm folding changed the model in round 1',
  );
  const round1 = /\| fold-batchnorm \| (\d+) → (\d+) \|/.exec(md);
  assert.ok(round1 && Number(round1[1]) > Number(round1[2]), "its own before and after, not the run's");
  assert.match(
    md,
    /inputs input float32 \[N, 3, 64, 64\]/,
    'the input is named with its type, a dynamic batch reads as N',
  );
  assert.match(md, /\| 12 \(all runs\) \|/, 'the samples taken and what stopped them');
  const reference = md.split('\n').filter((l) => l.startsWith('- correctness reference: '));
  assert.equal(reference.length, 1, 'the report names the reference in one line');
  assert.match(reference[0]!, /model\.onnx \(sha256 [0-9a-f]{12}, before optimization\) on onnxruntime-node /);
  assert.match(reference[0]!, /graph optimization disabled, 1 intra-op and 1 inter-op thread/);
  assert.match(md, /\| ---: \| --- \| ---: \| --- \|/, 'figures right-aligned, words (engine, device, reasons) left');
  assert.match(md, /!\[Latency over the timed runs \(dashed: noisy\)\]\(latency-runs\.png\)/);
  // The report opens with the verdict, one sentence per batch size, then the Pareto chart, then the ranking.
  const at = ['## Verdict', '](pareto.png)', '## Ranking'].map((s) => md.indexOf(s));
  assert.ok(at[0]! > 0 && at[0]! < at[1]! && at[1]! < at[2]!, 'verdict, then the Pareto chart, then the ranking');
  const sentences = md.split('\n').filter((l) => /^Batch \d+: /.test(l));
  assert.deepEqual(
    sentences.map((l) => Number(/^Batch (\d+)/.exec(l)![1])),
    [1, 2],
    'one sentence per batch size',
  );
  for (const l of sentences) assert.match(l, /^Batch \d+: (ship .* \(p50 [\d.]+ ms\)|no recommendation — )/);
}

/** The SVG charts titled and ticked at the measured batches; every chart also written as a PNG. */
async function checkCharts(out: (label: string) => string, bench: BenchFile): Promise<void> {
  for (const label of ['latencyRunsSvg', 'throughputSvg', 'latencyDistSvg']) {
    const svg = await readFile(out(label), 'utf8');
    assert.ok(
      svg.includes(bench.environment.cpu.model) && svg.includes(bench.model.name) && svg.includes('FP32'),
      `${label} is titled with machine, model and precision`,
    );
  }
  const throughput = await readFile(out('throughputSvg'), 'utf8');
  const ticks = [...throughput.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
  for (const b of [1, 2]) assert.ok(ticks.includes(String(b)), `a tick at measured batch ${b}`);
  assert.ok(!ticks.includes('1.5'), 'no tick between measured batches');
  const pareto = await readFile(out('paretoSvg'), 'utf8');
  assert.match(pareto, /error vs reference \(relative L2, log scale/, 'the Pareto chart has its error axis');
  const chosen = bench.recommendation?.batches.filter((b) => b.chosen).length ?? 0;
  // The legend names "chosen" once (its domain is fixed); each recommended point adds its own label.
  assert.equal((pareto.match(/>chosen</g) ?? []).length, 1 + chosen, 'each recommended point is labelled');
  for (const label of ['paretoPng', 'latencyRunsPng', 'throughputPng', 'latencyDistPng', 'speedupPng']) {
    const png = await readFile(out(label));
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], `${label} is a PNG`);
  }
}

/** The graph drawings shown at a readable size, and their links answered with the right types. */
function checkDrawings(v: PageView): void {
  assert.equal(v.drawings.length, 2, 'both graph drawings are on the page');
  for (const d of v.drawings)
    assert.ok(
      d.width >= 150 && d.height >= 400,
      `a drawing shown at a readable size, not a thumbnail: ${JSON.stringify(d)}`,
    );
  const links = v.links.map((l) => [l.href.split('/').pop(), l.status, l.type.split(';')[0]]);
  assert.deepEqual(
    links,
    [
      ['graph.html', 200, 'text/html'],
      ['graph.raw.svg', 200, 'image/svg+xml'],
      ['graph.opt.svg', 200, 'image/svg+xml'],
    ],
    'the drawings open at full size from their links, and graph.html too',
  );
}

test('report.md and report.html carry the real measurements, the passes and the charts', async (t) => {
  const { ctx, bench, drawn } = await measuredReport();
  const md = await readFile(ctx.out('markdown'), 'utf8');
  const engines = new Set(bench.measurements.map((m) => m.engine));
  assert.ok(engines.has('ort'), 'onnxruntime-node was measured');
  checkMarkdown(md, engines);
  await checkCharts(ctx.out, bench);
  if (!engines.has('torch-eager'))
    t.diagnostic(`torch-eager not measured: ${bench.skipped.map((s) => s.reason).join('; ')}`);

  const page = await openInChromium(ctx.out('html'), serveWithNginx);
  if (!page.ok) return t.skip(page.error);
  const v = page.value;
  assert.deepEqual(v.consoleErrors, [], 'no console errors');
  assert.deepEqual(v.otherRequests, [], 'the page fetches nothing else');
  const expected = engines.has('torch-eager') ? 5 : 4;
  assert.equal(v.charts.length, expected, `${expected} charts rendered`);
  const shown = ranked(bench);
  const chart = (id: string) => v.charts.find((c) => c.id === `chart-${id}`);
  assert.equal(chart('throughput')?.symbols, shown.length, 'one throughput point per ranked measurement');
  const samples = shown.reduce((a, m) => a + m.samplesMs.length, 0);
  assert.equal(chart('latency-runs')?.symbols, samples, 'one point per timed run');
  assert.equal(chart('latency-dist')?.bars, 2 * shown.length, 'a box and a median tick per ranked measurement');
  if (engines.has('torch-eager')) assert.equal(chart('speedup')?.bars, speedups(bench).length, 'one bar per speed-up');
  assert.ok(v.tableRows >= bench.measurements.length, 'every measurement is a table row');
  // A missing tool is a skip, which `make test` counts and fails under CI (scripts/run-tests.mjs).
  if (v.servedBy !== 'nginx') t.skip('nginx missing: the page was opened from file://, not served');
  if (drawn) checkDrawings(v);
  else t.skip('graphviz missing: the graph drawings were not checked');
  // Into a folder of the test's own: a test never writes into the user's artifacts/.
  const kept = join(await mkdtemp(join(tmpdir(), 'ef-screenshot-')), 'report.png');
  await copyFile(v.screenshot, kept);
  assert.ok(existsSync(kept));
  t.diagnostic(`served by ${v.servedBy}; screenshot kept at ${kept}`);
});
