/**
 * The torch-fused engine's inverted-residual matcher (torch/fused_blocks.py) on our real optimized MobileNetV2
 * graph, with PyTorch on the CPU: which chains it takes, and that the module with each chain as one step computes
 * exactly what the graph computes (the CPU runs PyTorch's operators for a fused step; the Triton kernel is
 * measured on the GPU machine, docs/benchmarks/h200/). A tensor with a second reader is never fused away. Two
 * real PaddleOCR models built from MobileNetV3's blocks match nothing, and say why per depthwise conv.
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
import { realModels } from '../corpus/models.js';
import { decodeModel } from '../../onnx/serde.js';

async function selfCheck(dir: string, graph: RunnerGraph) {
  await writeFile(join(dir, 'graph.json'), JSON.stringify(graph));
  const script = fromRoot('torch/fused_blocks.py');
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
  const g = exportForTorch(
    encodeModel(runPasses(raw, await passesByName(optimizeDefaults.passes)).model),
    'model.opt.onnx',
  );
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

/** The matcher alone on a real model's optimized graph: how many blocks, and why each other depthwise conv is none. */
async function matchReal(name: string) {
  const [model] = realModels(name);
  const decoded = decodeModel(await readFile(model!.file));
  assert.ok(decoded.ok);
  const optimized = runPasses(decoded.value, await passesByName(optimizeDefaults.passes)).model;
  const g = exportForTorch(encodeModel(optimized), `${name}.onnx`);
  assert.ok(g.ok);
  const dir = await mkdtemp(join(tmpdir(), 'ef-fused-real-'));
  await writeFile(join(dir, 'graph.json'), JSON.stringify(g.value.graph));
  await writeFile(join(dir, 'weights.bin'), g.value.weights);
  const script = fromRoot('torch/fused_blocks.py');
  const run = await exec('/usr/bin/python3', [
    script,
    join(dir, 'graph.json'),
    join(dir, 'weights.bin'),
    '--match-only',
  ]);
  assert.equal(run.exitCode, 0, run.stderr);
  return JSON.parse(run.stdout) as { blocks: number; residual: number; unmatched: Record<string, string> };
}

const tally = (why: Record<string, string>) =>
  Object.values(why).reduce<Record<string, number>>((n, w) => ({ ...n, [w]: (n[w] ?? 0) + 1 }), {});

test('PaddleOCR cls and det (MobileNetV3 blocks): no chain matches, and each depthwise conv says why', async () => {
  const cls = await matchReal('ppocr_mobile_v2_cls');
  assert.deepEqual(
    [cls.blocks, tally(cls.unmatched)],
    [
      0,
      {
        'a 5x5 depthwise conv (the fused kernel takes 3x3)': 8,
        'strides [2, 1], pads [1, 1, 1, 1] (the fused kernel takes equal strides and padding 1)': 2,
        'followed by Relu, not one ReLU6': 1,
      },
    ],
  );
  const det = await matchReal('ppocr_v4_det');
  assert.deepEqual(
    [det.blocks, tally(det.unmatched)],
    [0, { 'a 5x5 depthwise conv (the fused kernel takes 3x3)': 8, 'followed by Mul, not one ReLU6': 6 }],
  );
});

test("a run's settings count only its own batch size's choices (the plan holds one per block and batch)", async () => {
  const choice = (block: string, batch: number, c: string) => ({ block, shape: [batch, 32, 14, 14], choice: c });
  const chosen = [
    choice('a', 1, 'torch'),
    choice('b', 1, 'fused'),
    choice('a', 256, 'torch'),
    choice('b', 256, 'torch'),
  ];
  const code = [
    'import json, sys',
    "sys.path.insert(0, 'torch')",
    'from fused_engine import plan_counts',
    'chosen, stored = json.loads(sys.argv[1]), json.loads(sys.argv[2])',
    "print(json.dumps([plan_counts(chosen, stored, {'c': 'declined'}, b) for b in (1, 256)]))",
  ].join('\n');
  const run = await exec('python3', ['-c', code, JSON.stringify(chosen), JSON.stringify(chosen.slice(0, 2))], {
    cwd: fromRoot(),
  });
  assert.equal(run.exitCode, 0, run.stderr);
  assert.deepEqual(JSON.parse(run.stdout), [
    { blocksOnTorch: 2, blocksMeasuredHere: 0 },
    { blocksOnTorch: 3, blocksMeasuredHere: 2 },
  ]);
});
