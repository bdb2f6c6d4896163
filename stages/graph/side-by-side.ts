/** One page with the raw and the optimized drawing next to each other, SVGs inline so it needs nothing else. */
const inline = (svg: string): string => svg.slice(Math.max(0, svg.indexOf('<svg')));
const escape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

export function sideBySide(title: string, panels: { heading: string; svg: string }[]): string {
  const columns = panels.map((p) => `<section><h2>${escape(p.heading)}</h2>${inline(p.svg)}</section>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escape(title)}</title>
<style>
body { font-family: "DejaVu Sans", sans-serif; margin: 1rem; }
main { display: flex; gap: 2rem; align-items: flex-start; }
section { flex: 1; overflow: auto; }
section svg { max-width: 100%; height: auto; }
</style></head>
<body><h1>${escape(title)}</h1><main>
${columns}
</main></body></html>
`;
}
