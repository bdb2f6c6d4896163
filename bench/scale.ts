/**
 * `make bench-scale`: validate + optimize (the default pass list, then the validator on its result, as the
 * optimize stage does) of synthetic models of 5,000, 10,000 and 20,000 nodes (bench/scale-graph.ts), in
 * process. Targets: 20,000 nodes validate + optimize ≤ 5 s (optimize ≤ 3.5 s), growth 5k → 20k ≤ 5×
 * (linear would be 4×). After one untimed warm-up run, each size runs `--repeat` times (default 3) and the
 * median is printed: wall time, and this process's CPU time beside it, because on a shared machine another
 * process's load stretches wall time (CPU time measures the work itself).
 * With --body the chain sits inside an If's then-branch, so every pass works in a body.
 * usage: node dist/bench/scale.js [--sizes 5000,10000,20000] [--repeat N] [--body]
 */
import { parseArgs } from 'node:util';
import { runPasses } from '../onnx/rewrite/pass-manager.js';
import { countNodes } from '../onnx/rewrite/subgraphs.js';
import { validateModel } from '../onnx/validate/index.js';
import { defaultPasses, passesByName } from '../stages/optimize/passes/index.js';
import { scaleModel, scaleModelInBody } from './scale-graph.js';

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '5000,10000,20000' },
    repeat: { type: 'string', default: '3' },
    body: { type: 'boolean', default: false },
  },
});
const build = args.body ? scaleModelInBody : scaleModel;
const sizes = args.sizes.split(',').map(Number);
const repeat = Number(args.repeat);
const passes = await passesByName(defaultPasses);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] as number;

/** [result, wall seconds, CPU seconds] */
function timed<T>(f: () => T): [T, number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const c = process.cpuUsage(c0);
  return [r, (performance.now() - t0) / 1000, (c.user + c.system) / 1e6];
}

// One untimed run first, so the smallest size does not carry the JIT's warm-up and flatter the growth figure.
runPasses(scaleModel(2000), passes);
const totals = new Map<number, [number, number]>();
const s = (x: number) => `${x.toFixed(2)} s`.padStart(7);
console.log('nodes    validate (cpu)       optimize (cpu)       total (cpu)          nodes after');
for (const n of sizes) {
  const rows: number[][] = [];
  let after = 0;
  let nodes = 0;
  for (let r = 0; r < repeat; r++) {
    const model = build(n);
    nodes = countNodes(model.graph);
    const [report, vw, vc] = timed(() => validateModel(model));
    if (!report.ok) throw new Error(`Internal error: the scale model does not validate: ${report.errors[0]?.message}`);
    const [run, ow, oc] = timed(() => {
      const result = runPasses(model, passes);
      if (!validateModel(result.model).ok) {
        throw new Error('Internal error: the optimized scale model does not validate');
      }
      return result;
    });
    after = countNodes(run.model.graph);
    rows.push([vw, vc, ow, oc, vw + ow, vc + oc]);
  }
  const [vw, vc, ow, oc, tw, tc] = [0, 1, 2, 3, 4, 5].map((k) => median(rows.map((x) => x[k] as number)));
  totals.set(n, [tw as number, tc as number]);
  const pair = (wall: number | undefined, cpu: number | undefined) => `${s(wall ?? 0)} (${s(cpu ?? 0)})`;
  console.log(`${String(nodes).padEnd(8)} ${pair(vw, vc)}  ${pair(ow, oc)}  ${pair(tw, tc)}  ${after}`);
}
const small = Math.min(...sizes);
const large = Math.max(...sizes);
const [sw, sc] = totals.get(small) as [number, number];
const [lw, lc] = totals.get(large) as [number, number];
const verdict = (ok: boolean) => (ok ? 'MET' : 'MISSED');
const [gw, gc] = [lw / sw, lc / sc];
console.log(
  `\ngrowth ${small} → ${large} nodes: ${gw.toFixed(2)}× wall, ${gc.toFixed(2)}× CPU ` +
    `(target ≤ 5×; linear is ${(large / small).toFixed(0)}×) ${verdict(gw <= 5)} wall, ${verdict(gc <= 5)} CPU`,
);
console.log(
  `validate + optimize at ${large} nodes: ${lw.toFixed(2)} s wall, ${lc.toFixed(2)} s CPU (target ≤ 5 s) ${verdict(
    lw <= 5,
  )}`,
);
