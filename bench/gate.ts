/**
 * The regression gate outside the pipeline (CI, or by hand), the same rule as `--baseline`:
 *   node --import tsx bench/gate.ts CURRENT.json --baseline BASELINE.json [--spread-factor 2] [--min-relative 0.05]
 * Prints one line per compared measurement; exits 1 when one is slower than its allowance (spread-factor × the
 * BASELINE's spread, at least min-relative × its p50) or no longer correct, 2 on usage or an unreadable file.
 * stages/benchmark/baseline.ts states the rule and why the defaults.
 */
import { parseArgs } from 'node:util';
import { compareWithBaseline, MIN_RELATIVE, readBenchFile, SPREAD_FACTOR } from '../stages/benchmark/baseline.js';

const usage =
  `usage: bench/gate.ts CURRENT.json --baseline BASELINE.json ` +
  `[--spread-factor ${SPREAD_FACTOR}] [--min-relative ${MIN_RELATIVE}]`;
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      baseline: { type: 'string' },
      'spread-factor': { type: 'string', default: String(SPREAD_FACTOR) },
      'min-relative': { type: 'string', default: String(MIN_RELATIVE) },
    },
  });
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
const minRelative = Number(values['min-relative']);
const spreadFactor = Number(values['spread-factor']);
if (positionals.length !== 1 || !values.baseline || !(minRelative >= 0) || !(spreadFactor >= 0)) {
  console.error(usage);
  process.exit(2);
}
const current = await readBenchFile(positionals[0]!);
const baseline = await readBenchFile(values.baseline);
for (const r of [current, baseline]) {
  if (!r.ok) {
    console.error(`gate: ${r.error}`);
    process.exit(2);
  }
}
if (!current.ok || !baseline.ok) throw new Error('Internal error: unreachable');
const gate = compareWithBaseline(current.value, baseline.value, { spreadFactor, minRelative });
for (const c of gate.compared) {
  const figures =
    `p50 ${c.baselineP50.toFixed(3)} -> ${c.currentP50.toFixed(3)} ms (x${c.ratio.toFixed(3)}, ` +
    `allowed +${c.allowedMs.toFixed(3)} ms)`;
  const why = c.reason && c.regression ? ` — ${c.reason}` : '';
  console.log(`${c.regression ? 'REGRESSION' : 'ok        '} ${c.key}: ${figures}${why}`);
}
for (const m of gate.missing) console.log(`missing    ${m}`);
console.log(
  `${gate.regressions.length} regression(s) in ${gate.compared.length} compared, ${gate.missing.length} missing`,
);
process.exit(gate.ok ? 0 : 1);
