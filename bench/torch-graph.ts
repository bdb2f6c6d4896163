/**
 * Writes an ONNX model in the torch runner's form (graph.json + weights.bin), for the Python benches that
 * load our graph directly (bench/fused_bench.py):
 *   node dist/bench/torch-graph.js MODEL.onnx OUT_DIR
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { exportForTorch } from '../torch/graph-export.js';

const [model, out] = process.argv.slice(2);
if (!model || !out) {
  console.error('usage: node dist/bench/torch-graph.js MODEL.onnx OUT_DIR');
  process.exit(2);
}
const g = exportForTorch(await readFile(model), model);
if (!g.ok) {
  console.error(`torch-graph: ${g.error}`);
  process.exit(2);
}
await mkdir(out, { recursive: true });
await writeFile(join(out, 'graph.json'), JSON.stringify(g.value.graph));
await writeFile(join(out, 'weights.bin'), g.value.weights);
console.log(`${join(out, 'graph.json')}: ${g.value.graph.nodes.length} nodes`);
