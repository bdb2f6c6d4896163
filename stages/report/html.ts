/**
 * report.html: one self-contained page (inline SVG and CSS, no scripts, nothing fetched). The graph drawings
 * are shown at a readable scale in a scrolling frame and link to their own SVG files beside the page (and to
 * graph.html), which open at full size.
 */
import type { BenchFile } from '../../measure/result.js';
import type { Chart } from './charts.js';
import { machine } from './series.js';
import { inputShape, tables, timingNotes, type PassesFile, type Table } from './tables.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const inlineSvg = (svg: string): string => svg.slice(Math.max(0, svg.indexOf('<svg')));

function table(t: Table): string {
  const cls = (i: number) => (t.align[i] === 'r' ? ' class="num"' : '');
  const body =
    t.rows.length === 0
      ? `<p class="empty">${esc(t.empty)}</p>`
      : `<table><thead><tr>${t.head.map((h, i) => `<th${cls(i)}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
          .map((r) => `<tr>${r.map((c, i) => `<td${cls(i)}>${esc(c)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>`;
  return `<section><h2>${esc(t.title)}</h2>${body}</section>`;
}

export interface Drawing {
  heading: string;
  svg: string;
  /** The drawing's own file beside report.html, opened at full size from the link. */
  file: string;
}

function graphs(drawings: readonly Drawing[]): string {
  if (drawings.length === 0) return '';
  const figures = drawings
    .map(
      (d) =>
        `<figure class="graph"><figcaption>${esc(d.heading)} · ` +
        `<a href="${esc(d.file)}">open at full size</a></figcaption>` +
        `<div class="frame">${inlineSvg(d.svg)}</div></figure>`,
    )
    .join('');
  const side = '<p>Both drawings side by side: <a href="graph.html">graph.html</a>.</p>';
  return `<section><h2>Graph</h2>${side}<div class="graphs">${figures}</div></section>`;
}

/** Model, inputs, machine and time in one line, under the title (report.md has the same). */
export const lede = (bench: BenchFile): string =>
  `${bench.model.name} · inputs ${inputShape(bench)} · ${machine(bench)} · measured ${bench.createdAt}`;

export function html(
  title: string,
  bench: BenchFile,
  passes: PassesFile | undefined,
  charts: readonly { chart: Chart; svg?: string }[],
  drawings: readonly Drawing[],
): string {
  const [ranking, ...rest] = tables(bench, passes);
  const figures = charts
    .map(({ chart, svg }) =>
      svg
        ? `<figure class="chart" id="chart-${chart.id}">${inlineSvg(svg)}</figure>`
        : `<p class="empty">${esc(chart.title)}: not drawn (${esc(chart.missing ?? '')}).</p>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${esc(title)}</title>
<style>
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1320px; padding: 0 1rem;
  color: #212529; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #dee2e6; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f1f3f5; } .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.empty { color: #6c757d; font-style: italic; }
.lede { color: #495057; }
figure.chart { display: inline-block; margin: 0 1.5rem 1.5rem 0; vertical-align: top; }
figcaption { font-weight: bold; margin-bottom: 0.3rem; }
.graphs { display: flex; gap: 1.5rem; align-items: flex-start; }
figure.graph { flex: 1; margin: 0; min-width: 0; }
.graph .frame { max-height: 900px; overflow: auto; border: 1px solid #dee2e6; }
.graph .frame svg { display: block; }
</style></head><body>
<h1>${esc(title)}</h1>
<p class="lede">${esc(lede(bench))}</p>
${table(ranking!)}
<section><h2>Charts</h2>${figures}</section>
${rest.map(table).join('\n')}
${graphs(drawings)}
<section><h2>How the figures were taken</h2><ul>${timingNotes(bench)
    .map((n) => `<li>${esc(n)}</li>`)
    .join('')}</ul></section>
</body></html>
`;
}
