/**
 * `make bench-validate`: the validator alone, in process, on
 *   - the scale bench's synthetic chains of 5,000, 10,000 and 20,000 nodes (bench/scale-graph.ts);
 *   - the same sizes made of If nodes whose branches read the enclosing graph (5 of every 6 nodes in a body);
 *   - ppocr_v4_rec, the largest real model of the corpus (765 nodes, 10.8 MB): decode + validate.
 * Per size: the first run (what a stage pays: its process validates once) and the median and the fastest of
 * `--repeat` warm runs; on this shared 2-core machine the fastest is the one other processes disturbed least,
 * so growth is printed for both. Targets: 20,000 nodes well under 1.5 s (validate + optimize ≤ 5 s is
 * bench-scale's), growth 5k → 20k ≤ 5× (linear is 4×).
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
    graphNodes.push(withBodies(node('If', ['c'], [`y${k}`], {}, `if${k}`), {
      then_branch: {
        nodes: [node('Relu', [`n${k}`], [`t${k}`]), node('Abs', [`t${k}`], [`ta${k}`])],
        outputs: [f(`ta${k}`)],
      },
      else_branch: {
        nodes: [node('Sigmoid', [`n${k}`], [`e${k}`]), node('Add', [`e${k}`, x], [`ea${k}`])],
        outputs: [f(`ea${k}`)],
      },
    }));
    x = `y${k}`;
  }
  return model({ name: 'branchy', nodes: graphNodes, inputs: [f('x')], outputs: [{ ...f(x), name: x }] }, 17, 8);
}

function measure(make: () => Model): { first: number; warm: number; best: number; total: number; nested: number } {
  const model = make();
  const times: number[] = [];
  let total = 0, nested = 0;
  for (let r = 0; r <= repeat; r++) {
    const t0 = performance.now();
    const report = validateModel(model);
    times.push(performance.now() - t0);
    if (!report.ok) throw new Error(`Internal error: the bench model does not validate: ${report.errors[0]?.message}`);
    total = report.nodes.total;
    nested = report.nodes.inSubgraphs;
  }
  return { first: times[0]!, warm: median(times.slice(1)), best: Math.min(...times.slice(1)), total, nested };
}

const ms = (x: number) => `${x.toFixed(0).padStart(6)} ms`;
for (const [what, make] of [['chain (scale-graph)', scaleModel], ['If bodies', branchyModel]] as const) {
  console.log(`\n${what}:\n  nodes (in bodies)        first run    warm median    warm fastest (of ${repeat})`);
  const warm = new Map<number, { warm: number; best: number }>();
  for (const n of sizes) {
    const m = measure(() => make(n));
    warm.set(n, m);
    console.log(`  ${`${m.total} (${m.nested})`.padEnd(22)}${ms(m.first)}    ${ms(m.warm)}    ${ms(m.best)}`);
  }
  const lo = Math.min(...sizes), hi = Math.max(...sizes);
  const top = warm.get(hi)!, bottom = warm.get(lo)!;
  const growth = (k: 'warm' | 'best') => `${(top[k] / bottom[k]).toFixed(2)}×`;
  console.log(`  growth ${lo} → ${hi}: ${growth('warm')} by medians, ${growth('best')} by fastest runs` +
    ` (target ≤ 5×; linear ${(hi / lo).toFixed(0)}×);` +
    ` ${hi} nodes ${top.warm.toFixed(0)} ms median (target well under 1500 ms) ${top.warm < 1500 ? 'MET' : 'MISSED'}`);
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
console.log(`\nppocr_v4_rec (${(bytes.length / 1e6).toFixed(1)} MB, 765 nodes) decode + validate:` +
  ` first ${real[0]!.toFixed(0)} ms, warm ${median(real.slice(1)).toFixed(0)} ms (median of ${repeat})`);
