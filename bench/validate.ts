/**
 * `make bench-validate`: the validator alone, in process, on
 *   - the scale bench's synthetic chains of 5,000, 10,000 and 20,000 nodes (bench/scale-graph.ts);
 *   - the same sizes made of If nodes whose branches read the enclosing graph (4 of every 6 nodes in a body);
 *   - ppocr_v4_rec, the largest real model of the corpus (765 nodes, 10.8 MB): decode + validate.
 * Per size: the first run (what a stage pays: its process validates once), then the medians of `--repeat` warm
 * runs taken in rounds over all sizes, in wall time and in this process's CPU time: on this shared 2-core
 * machine other processes' load stretches wall time, not CPU time, so growth is printed for both.
 * Targets: 20,000 nodes well under 1.5 s (validate + optimize ≤ 5 s is bench-scale's), growth 5k → 20k ≤ 5×
 * (linear is 4×).
 * usage: node dist/bench/validate.js [--sizes 5000,10000,20000] [--repeat N]
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DType, type Model, type Node } from '../onnx/ir.js';
import { decodeModel } from '../onnx/serde.js';
import { validateModel } from '../onnx/validate/index.js';
import { realModels } from '../test/corpus/models.js';
import { model, node } from '../test/onnx/model-kit.js';
import { withBodies } from '../test/onnx/subgraph-kit.js';
import { scaleModel } from './scale-graph.js';
import { median } from './timing.js';

const options = {
  sizes: { type: 'string', default: '5000,10000,20000' },
  repeat: { type: 'string', default: '5' },
} as const;
const { values: args } = parseArgs({ options });
const sizes = args.sizes.split(',').map(Number);
const repeat = Number(args.repeat);

/** About `nodes` nodes in blocks of 6: Neg and an If in the main graph, two branches of 2 nodes reading the Neg. */
function branchyModel(nodes: number): Model {
  const f = (name: string) => ({ name, type: { dtype: DType.FLOAT, shape: [4] } });
  const graphNodes: Node[] = [node('Greater', ['x', 'x'], ['c'], {}, 'cond')];
  let x = 'x';
  for (let k = 0; 6 * (k + 1) < nodes; k++) {
    graphNodes.push(node('Neg', [x], [`n${k}`], {}, `neg${k}`));
    graphNodes.push(
      withBodies(node('If', ['c'], [`y${k}`], {}, `if${k}`), {
        then_branch: {
          nodes: [node('Relu', [`n${k}`], [`t${k}`]), node('Abs', [`t${k}`], [`ta${k}`])],
          outputs: [f(`ta${k}`)],
        },
        else_branch: {
          nodes: [node('Sigmoid', [`n${k}`], [`e${k}`]), node('Add', [`e${k}`, x], [`ea${k}`])],
          outputs: [f(`ea${k}`)],
        },
      }),
    );
    x = `y${k}`;
  }
  return model({ name: 'branchy', nodes: graphNodes, inputs: [f('x')], outputs: [{ ...f(x), name: x }] }, 17, 8);
}

interface Timing {
  first: number;
  wall: number;
  cpu: number;
  total: number;
  nested: number;
}

/** Wall and CPU milliseconds (this process's user + system time: what other processes' load cannot add to). */
function validated(model: Model): { wall: number; cpu: number; total: number; nested: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const report = validateModel(model);
  const c = process.cpuUsage(c0);
  const wall = performance.now() - t0;
  if (!report.ok) throw new Error(`Internal error: the bench model does not validate: ${report.errors[0]?.message}`);
  return { wall, cpu: (c.user + c.system) / 1000, total: report.nodes.total, nested: report.nodes.inSubgraphs };
}

/** Each size's first run, then `repeat` rounds over all sizes in turn: drift in the load hits every size alike. */
function measure(make: (n: number) => Model): Map<number, Timing> {
  const models = sizes.map((n) => [n, make(n)] as const);
  const first = new Map(models.map(([n, m]) => [n, validated(m)]));
  const warm = new Map(sizes.map((n) => [n, [] as ReturnType<typeof validated>[]]));
  for (let r = 0; r < repeat; r++) for (const [n, m] of models) warm.get(n)!.push(validated(m));
  return new Map(
    sizes.map((n) => {
      const f = first.get(n)!;
      const runs = warm.get(n)!;
      const wall = median(runs.map((x) => x.wall));
      const cpu = median(runs.map((x) => x.cpu));
      return [n, { first: f.wall, wall, cpu, total: f.total, nested: f.nested }];
    }),
  );
}

const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
for (const [what, make] of [
  ['chain (scale-graph)', scaleModel],
  ['If bodies', branchyModel],
] as const) {
  console.log(`\n${what}:\n  nodes (in bodies)        first run    warm: wall      cpu   (medians of ${repeat})`);
  const timings = measure(make);
  for (const m of timings.values()) {
    console.log(`  ${`${m.total} (${m.nested})`.padEnd(22)}${ms(m.first)}    ${ms(m.wall)} ${ms(m.cpu)}`);
  }
  const lo = Math.min(...sizes);
  const hi = Math.max(...sizes);
  const top = timings.get(hi)!;
  const bottom = timings.get(lo)!;
  const growth = (k: 'wall' | 'cpu') => `${(top[k] / bottom[k]).toFixed(2)}×`;
  console.log(
    `  growth ${lo} → ${hi}: ${growth('cpu')} in CPU time, ${growth('wall')} in wall time` +
      ` (target ≤ 5×; linear ${(hi / lo).toFixed(0)}×);` +
      ` ${hi} nodes ${top.wall.toFixed(0)} ms wall (target well under 1500 ms) ${top.wall < 1500 ? 'MET' : 'MISSED'}`,
  );
}

const [rec] = realModels('ppocr_v4_rec');
const bytes = await readFile(rec!.file);
const real: number[] = [];
for (let r = 0; r <= repeat; r++) {
  const t0 = performance.now();
  const decoded = decodeModel(bytes);
  if (!decoded.ok) throw new Error(decoded.error);
  const report = validateModel(decoded.value);
  real.push(performance.now() - t0);
  if (!report.ok) throw new Error(`ppocr_v4_rec does not validate: ${report.errors[0]?.message}`);
}
console.log(
  `\nppocr_v4_rec (${(bytes.length / 1e6).toFixed(1)} MB, 765 nodes) decode + validate:` +
    ` first ${real[0]!.toFixed(0)} ms, warm ${median(real.slice(1)).toFixed(0)} ms (median of ${repeat})`,
);
