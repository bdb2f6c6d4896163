/**
 * Screenshots of the latest report.html and graph.html as a person sees them at 1400 px width, served by
 * nginx and opened in Debian's headless Chromium, into docs/report/ (look at them after every change to
 * the report).
 *   node dist/bench/screenshots.js [--artifacts DIR] [--out DIR] [--width 1400]
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openInChromium } from '../test/stages/report/chromium.js';
import { serveWithNginx } from '../test/stages/report/nginx.js';

const { values: a } = parseArgs({
  options: {
    artifacts: { type: 'string', default: 'artifacts' },
    out: { type: 'string', default: 'docs/report' },
    width: { type: 'string', default: '1400' },
  },
});
await mkdir(resolve(a.out), { recursive: true });
for (const page of ['report.html', 'graph.html']) {
  const view = await openInChromium(resolve(a.artifacts, 'latest', page), serveWithNginx, Number(a.width));
  if (!view.ok) {
    console.error(`${page}: ${view.error}`);
    process.exit(1);
  }
  const out = join(resolve(a.out), page.replace('.html', `-${a.width}.png`));
  await copyFile(view.value.screenshot, out);
  const broken = view.value.links.filter((l) => l.status !== 200);
  const links = view.value.links.map((l) => `${l.href.split('/').pop()} ${l.status} ${l.type}`).join(', ');
  const errors = JSON.stringify(view.value.consoleErrors);
  console.log(
    `${page}: ${out}; ${view.value.charts.length} charts; console errors ${errors}; links ${links || 'none'}`,
  );
  if (broken.length > 0) {
    console.error(`${page}: broken links: ${broken.map((l) => l.href).join(', ')}`);
    process.exitCode = 1;
  }
}
