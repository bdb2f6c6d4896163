/** report.md: the tables, and the charts as the PNG files written beside it. */
import type { BenchFile } from '../../measure/result.js';
import type { Chart } from './charts.js';
import { lede } from './html.js';
import { tables, timingNotes, type PassesFile, type Table } from './tables.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(t: Table): string {
  if (t.rows.length === 0) return `## ${t.title}\n\n${t.empty}\n`;
  return [
    `## ${t.title}`,
    '',
    `| ${t.head.map(cell).join(' | ')} |`,
    `|${t.head.map((_, i) => (t.align[i] === 'r' ? ' ---: ' : ' --- ')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
    '',
  ].join('\n');
}

export function markdown(
  title: string,
  bench: BenchFile,
  passes: PassesFile | undefined,
  charts: readonly Chart[],
): string {
  const [ranking, ...rest] = tables(bench, passes);
  return [
    `# ${title}`,
    '',
    lede(bench),
    '',
    table(ranking!),
    ...charts.map((c) => (c.spec ? `![${c.title}](${c.id}.png)\n` : `_${c.title}: not drawn (${c.missing})._\n`)),
    ...rest.map(table),
    '## How the figures were taken',
    '',
    ...timingNotes(bench).map((n) => `- ${n}`),
    '',
  ].join('\n');
}
