/** Opens a page in Debian's headless Chromium through playwright-core and reports what a person would see. */
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { err, ok, type Result } from '../../../pipeline/result.js';
import type { Served } from './nginx.js';

const CHROMIUM = '/usr/bin/chromium';

export interface PageView {
  servedBy: string;
  consoleErrors: string[];
  otherRequests: string[];
  charts: { id: string; marks: number; symbols: number; bars: number }[];
  tableRows: number;
  screenshot: string;
  /** Rendered size in CSS pixels of each graph drawing on the page (a 20 px thumbnail is unreadable). */
  drawings: { width: number; height: number }[];
  /** Every link on the page, followed after the screenshot: what it answered and as what. */
  links: { text: string; href: string; status: number; type: string }[];
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** What the page drew: its charts with their marks, its table rows and each graph drawing's rendered size. */
async function readContent(page: Page): Promise<Pick<PageView, 'charts' | 'tableRows' | 'drawings'>> {
  const charts = await page.$$eval('figure.chart', (figs) =>
    figs.map((f) => ({
      id: f.id,
      marks: f.querySelectorAll('svg path, svg rect, svg line, svg circle').length,
      // Data marks only (vega's role-mark groups), not axis lines or legends: one symbol per plotted point.
      symbols: f.querySelectorAll('svg g.mark-symbol.role-mark path').length,
      bars: f.querySelectorAll('svg g.mark-rect.role-mark path').length,
    })),
  );
  const tableRows = await page.$$eval('tbody tr', (rows) => rows.length);
  const drawings = await page.$$eval('figure.graph svg', (svgs) =>
    svgs.map((g) => {
      const r = g.getBoundingClientRect();
      return { width: r.width, height: r.height };
    }),
  );
  return { charts, tableRows, drawings };
}

/** Navigates to every link on the page in turn; what each answered and as what. */
async function followLinks(page: Page): Promise<PageView['links']> {
  const anchors = (
    await page.$$eval('a[href]', (as) =>
      as.map((a) => ({ text: a.textContent ?? '', href: a.getAttribute('href') ?? '' })),
    )
  ).map((a) => ({ ...a, href: new URL(a.href, page.url()).href }));
  const links = [];
  for (const a of anchors) {
    const r = await page.goto(a.href, { waitUntil: 'load' });
    links.push({ ...a, status: r?.status() ?? 0, type: r?.headers()['content-type'] ?? '' });
  }
  return links;
}

export async function openInChromium(
  file: string,
  serve: (root: string, file: string) => Promise<Served | undefined>,
  width = 1280,
): Promise<Result<PageView, string>> {
  if (!existsSync(CHROMIUM)) return err(`${CHROMIUM} is missing: apt-get install chromium`);
  const served = await serve(dirname(file), basename(file));
  const url = served?.url ?? `file://${file}`;
  const shots = await mkdtemp(join(tmpdir(), 'ef-chromium-'));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width, height: 900 } });
    const consoleErrors: string[] = [];
    const otherRequests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    page.on('request', (r) => {
      if (r.url() !== url) otherRequests.push(r.url());
    });
    const response = await page.goto(url, { waitUntil: 'load' });
    // A report nginx cannot serve is a broken report, never a reason to skip the check.
    if (served && response?.status() !== 200) throw new Error(`${url} answered ${response?.status()}, not 200`);
    const content = await readContent(page);
    const screenshot = join(shots, 'report.png');
    await page.screenshot({ path: screenshot, fullPage: true });
    // What the page itself did; navigating to its links (an SVG, graph.html) is not the page's doing.
    const errors = [...consoleErrors];
    const requests = [...otherRequests];
    const links = await followLinks(page);
    return ok({
      servedBy: served ? 'nginx' : 'file://',
      consoleErrors: errors,
      otherRequests: requests,
      ...content,
      screenshot,
      links,
    });
  } finally {
    await browser.close();
    await served?.stop();
  }
}
