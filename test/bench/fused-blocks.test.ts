/**
 * The inverted-residual matcher (bench/fused_blocks.py) on our real optimized MobileNetV2 graph, with
 * Debian's PyTorch on the CPU: which chains it takes, and that the module with each chain as one step computes
 * exactly what the graph computes (the CPU runs PyTorch's operators for a fused step; the Triton kernel is
 * measured on the GPU machine, docs/benchmarks/h200/). A tensor with a second reader is never fused away.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runPasses } from '../../onnx/rewrite/pass-manager.js';
import { encodeModel } from '../../onnx/serde.js';
import { exec } from '../../pipeline/execute/exec.js';
import { exportForTorch, type RunnerGraph } from '../../torch/graph-export.js';
import { defaults as modelDefaults } from '../../stages/build/config.js';
import { buildMobileNetV2 } from '../../stages/build/mobilenetv2.js';
import { defaults as optimizeDefaults } from '../../stages/optimize/config.js';
import { passesByName } from '../../stages/optimize/passes/index.js';
import { fromRoot } from '../repo-root.js';

async function selfCheck(dir: string, graph: RunnerGraph) {
  await writeFile(join(dir, 'graph.json'), JSON.stringify(graph));
  const script = fromRoot('bench/fused_blocks.py');
  const run = await exec('/usr/bin/python3', [script, join(dir, 'graph.json'), join(dir, 'weights.bin')]);
  assert.equal(run.exitCode, 0, run.stderr);
  return JSON.parse(run.stdout) as {
    blocks: number;
    residual: number;
    withoutExpand: number;
    strides: number[];
    steps: number;
    maxAbsDiff: number;
  };
}

test('MobileNetV2: 17 blocks (10 with their add, the first without expansion), outputs unchanged', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'ef-fused-'));
  const raw = buildMobileNetV2({
    ...modelDefaults,
    width_mult: 0.35,
    input_size: 32,
    num_classes: 10,
    dynamic_batch: true,
  });
  const g = exportForTorch(encodeModel(runPasses(raw, passesByName(optimizeDefaults.passes)).model), 'model.opt.onnx');
  assert.ok(g.ok);
  await writeFile(join(dir, 'weights.bin'), g.value.weights);
  const all = await selfCheck(dir, g.value.graph);
  assert.deepEqual(all, {
    blocks: 17,
    residual: 10,
    withoutExpand: 1,
    strides: [1, 2, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1],
    // 16 chains of 5 nodes, one of 3 (no expansion), 10 adds: 93 nodes become 17 steps.
    steps: g.value.graph.nodes.length - (16 * 5 + 3 + 10) + 17,
    maxAbsDiff: 0,
  });
  // A second reader of block 2's expanded tensor: that tensor must still be written, so the expansion stays
  // outside and only the block's depthwise -> project tail fuses (a block without expansion, as the first).
  const graph = JSON.parse(JSON.stringify(g.value.graph)) as RunnerGraph;
  const expanded = graph.nodes.find((n) => n.op === 'Clip' && n.inputs[0] === 'features.2.conv.0.1.out')!.outputs[0]!;
  graph.nodes.push({ op: 'Identity', name: 'tap', inputs: [expanded], outputs: ['tap'], attrs: {} });
  graph.outputs.push({ name: 'tap' });
  const tapped = await selfCheck(dir, graph);
  assert.deepEqual([tapped.blocks, tapped.withoutExpand, tapped.residual, tapped.maxAbsDiff], [17, 2, 10, 0]);
  assert.ok((await readFile(join(dir, 'graph.json'), 'utf8')).includes('"tap"'));
});
