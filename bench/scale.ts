/**
 * `make bench-scale`: validate + optimize (the default pass list, then the validator on its result, as the
 * optimize stage does) of synthetic models of 5,000, 10,000 and 20,000 nodes (bench/scale-graph.ts), in
 * process. Targets: 20,000 nodes validate + optimize ≤ 5 s (optimize ≤ 3.5 s), growth 5k → 20k ≤ 5×
 * (linear would be 4×). Each size runs `--repeat` times (default 3) and the median is printed.
 * usage: node dist/bench/scale.js [--sizes 5000,10000,20000] [--repeat N]
 */
import { parseArgs } from 'node:util';
import { runPasses } from '../onnx/rewrite/pass-manager.js';
import { validateModel } from '../onnx/validate/index.js';
import { defaultPasses, passesByName } from '../stages/optimize/passes/index.js';
import { scaleModel } from './scale-graph.js';

const { values: args } = parseArgs({ options: { sizes: { type: 'string', default: '5000,10000,20000' }, repeat: { type: 'string', default: '3' } } });
const sizes = args.sizes.split(',').map(Number);
const repeat = Number(args.repeat);
const passes = passesByName(defaultPasses);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

function timed<T>(f: () => T): [T, number] {
  const t0 = performance.now();
  const r = f();
  return [r, (performance.now() - t0) / 1000];
}

const totals = new Map<number, number>();
console.log('nodes     validate   optimize   (passes + validator on the result)   total   nodes after');
for (const n of sizes) {
  const v: number[] = [], o: number[] = [], t: number[] = [];
  let after = 0, nodes = 0;
  for (let r = 0; r < repeat; r++) {
    const model = scaleModel(n);
    nodes = model.graph.nodes.length;
    const [report, vs] = timed(() => validateModel(model));
    if (!report.ok) throw new Error(`Internal error: the scale model does not validate: ${report.errors[0]?.message}`);
    const [run, os] = timed(() => {
      const result = runPasses(model, passes);
      if (!validateModel(result.model).ok) throw new Error('Internal error: the optimized scale model does not validate');
      return result;
    });
    after = run.model.graph.nodes.length;
    v.push(vs); o.push(os); t.push(vs + os);
  }
  totals.set(n, median(t));
  console.log(`${String(nodes).padEnd(9)} ${median(v).toFixed(2).padStart(6)} s  ${median(o).toFixed(2).padStart(6)} s${' '.repeat(39)}${median(t).toFixed(2).padStart(5)} s   ${after}`);
}
const small = totals.get(Math.min(...sizes)), large = totals.get(Math.max(...sizes));
const largest = Math.max(...sizes);
if (small && large) {
  const growth = large / small;
  console.log(`\ngrowth ${Math.min(...sizes)} → ${largest} nodes: ${growth.toFixed(2)}× (target ≤ 5×; linear is ${(largest / Math.min(...sizes)).toFixed(0)}×) ${growth <= 5 ? 'MET' : 'MISSED'}`);
  console.log(`validate + optimize at ${largest} nodes: ${large.toFixed(2)} s (target ≤ 5 s) ${large <= 5 ? 'MET' : 'MISSED'}`);
}
