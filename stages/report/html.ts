/** report.html: one self-contained page (inline SVG and CSS, no scripts, nothing fetched). */
import type { BenchFile } from '../benchmark/result.js';
import type { Chart } from './charts.js';
import { inputShape, tables, timingNotes, type PassesFile, type Table } from './tables.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const inlineSvg = (svg: string): string => svg.slice(Math.max(0, svg.indexOf('<svg')));

function table(t: Table): string {
  const body = t.rows.length === 0 ? `<p class="empty">${esc(t.empty)}</p>`
    : `<table><thead><tr>${t.head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${t.rows
      .map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
  return `<section><h2>${esc(t.title)}</h2>${body}</section>`;
}

export interface Drawing { heading: string; svg: string }

export function html(title: string, bench: BenchFile, passes: PassesFile | undefined, charts: readonly { chart: Chart; svg?: string }[], drawings: readonly Drawing[]): string {
  const [ranking, ...rest] = tables(bench, passes);
  const figures = charts.map(({ chart, svg }) => svg
    ? `<figure class="chart" id="chart-${chart.id}"><figcaption>${esc(chart.title)}</figcaption>${inlineSvg(svg)}</figure>`
    : `<p class="empty">${esc(chart.title)}: not drawn (${esc(chart.missing ?? '')}).</p>`).join('\n');
  const graphs = drawings.length === 0 ? '' : `<section><h2>Graph</h2><div class="graphs">${drawings
    .map((d) => `<figure class="graph"><figcaption>${esc(d.heading)}</figcaption>${inlineSvg(d.svg)}</figure>`).join('')}</div></section>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,"><title>${esc(title)}</title>
<style>
body { font-family: "DejaVu Sans", system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #212529; }
table { border-collapse: collapse; font-size: 0.85rem; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #dee2e6; padding: 0.25rem 0.5rem; text-align: right; }
th { background: #f1f3f5; } td:nth-child(2), td:first-child { text-align: left; }
.empty { color: #6c757d; font-style: italic; }
figure.chart { display: inline-block; margin: 0 1rem 1.5rem 0; vertical-align: top; }
figcaption { font-weight: bold; margin-bottom: 0.3rem; }
.graphs { display: flex; gap: 2rem; align-items: flex-start; overflow-x: auto; }
.graph svg { max-height: 80vh; width: auto; }
</style></head><body>
<h1>${esc(title)}</h1>
<p>${esc(bench.model.name)}, input ${esc(inputShape(bench))}, measured ${esc(bench.createdAt)}.</p>
${table(ranking!)}
<section><h2>Charts</h2>${figures}</section>
${rest.map(table).join('\n')}
${graphs}
<section><h2>How the figures were taken</h2><ul>${timingNotes(bench).map((n) => `<li>${esc(n)}</li>`).join('')}</ul></section>
</body></html>
`;
}
