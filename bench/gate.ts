/**
 * The regression gate outside the pipeline (CI, or by hand):
 *   node --import tsx bench/gate.ts CURRENT.json --baseline BASELINE.json [--min-relative 0.02]
 * Prints one line per compared measurement; exits 1 when one is slower than its allowance (the larger
 * measured spread of the two runs, at least min-relative × baseline p50) or no longer correct, 2 on usage
 * or an unreadable file. stages/benchmark/baseline.ts states the rule.
 */
import { parseArgs } from 'node:util';
import { compareWithBaseline, readBenchFile } from '../stages/benchmark/baseline.js';

const usage = 'usage: bench/gate.ts CURRENT.json --baseline BASELINE.json [--min-relative 0.02]';
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: { baseline: { type: 'string' }, 'min-relative': { type: 'string', default: '0.02' } },
  });
} catch (e) {
  console.error(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
  process.exit(2);
}
const { values, positionals } = parsed;
const minRelative = Number(values['min-relative']);
if (positionals.length !== 1 || !values.baseline || !(minRelative >= 0)) {
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
const gate = compareWithBaseline(current.value, baseline.value, { minRelative });
for (const c of gate.compared) {
  console.log(
    `${c.regression ? 'REGRESSION' : 'ok        '} ${c.key}: p50 ${c.baselineP50.toFixed(3)} -> ` +
      `${c.currentP50.toFixed(3)} ms (x${c.ratio.toFixed(3)}, allowed +${c.allowedMs.toFixed(3)} ms)` +
      (c.reason && c.regression ? ` — ${c.reason}` : ''),
  );
}
for (const m of gate.missing) console.log(`missing    ${m}`);
console.log(
  `${gate.regressions.length} regression(s) in ${gate.compared.length} compared, ${gate.missing.length} missing`,
);
process.exit(gate.ok ? 0 : 1);
