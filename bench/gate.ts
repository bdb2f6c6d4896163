/**
 * The regression gate outside the pipeline (CI, or by hand), the same rule as `--baseline`:
 *   node --import tsx bench/gate.ts CURRENT.json --baseline BASELINE.json
 * Prints one line per compared measurement with the ratio it judged (each p50 over its run's calibration where
 * both files have one) and the ratio allowed; exits 1 when one is slower than allowed or no longer correct, 2
 * on usage or an unreadable file. stages/benchmark/baseline.ts states the rule and why. It does not re-measure:
 * `bench --baseline` confirms a regression by measuring again, a file cannot.
 */
import { parseArgs } from 'node:util';
import { compareWithBaseline, readBenchFile } from '../stages/benchmark/baseline.js';

const usage = 'usage: bench/gate.ts CURRENT.json --baseline BASELINE.json';
let parsed;
try {
  parsed = parseArgs({ allowPositionals: true, options: { baseline: { type: 'string' } } });
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
if (positionals.length !== 1 || !values.baseline) {
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
const gate = compareWithBaseline(current.value, baseline.value);
for (const c of gate.compared) {
  const figures =
    `p50 ${c.baselineP50.toFixed(3)} -> ${c.currentP50.toFixed(3)} ms, ratio ${c.ratio.toFixed(3)} ` +
    `(allowed ${(1 + c.allowed).toFixed(3)})`;
  const why = c.reason && c.regression ? ` — ${c.reason}` : '';
  console.log(`${c.regression ? 'REGRESSION' : 'ok        '} ${c.key}: ${figures}${why}`);
}
for (const m of gate.missing) console.log(`missing    ${m}`);
console.log(
  `${gate.regressions.length} regression(s) in ${gate.compared.length} compared, ${gate.missing.length} missing`,
);
process.exit(gate.ok ? 0 : 1);
