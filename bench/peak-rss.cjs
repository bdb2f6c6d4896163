// Preloaded into a measured process (`node -r bench/peak-rss.cjs …`): on exit, appends its peak resident set
// size in bytes to the file $PEAK_RSS_FILE, so `make bench-hostile` needs no GNU time.
'use strict';
const { appendFileSync } = require('node:fs');
process.on('exit', () => {
  if (process.env.PEAK_RSS_FILE)
    appendFileSync(process.env.PEAK_RSS_FILE, `${process.resourceUsage().maxRSS * 1024}\n`);
});
