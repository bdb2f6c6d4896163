import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { KITS } from '../../stages/benchmark/kits.js';
import { loadRunners } from '../../stages/benchmark/run-bench.js';

test("the benchmark's runners are the kits' runners, one kit per engine family", async () => {
  assert.deepEqual(
    KITS.map((k) => k.name),
    ['ort', 'torch', 'trt'],
  );
  assert.deepEqual(await loadRunners(), await Promise.all(KITS.map((k) => k.runner())));
  assert.deepEqual(
    KITS.map((k) => k.tools.map((t) => t.name)),
    [[], ['torch', 'torch-compile', 'torch-aoti'], ['trtexec']],
  );
});

test("each kit's code outside the bundle exists; torch's is its three scripts' import closure", () => {
  for (const kit of KITS) for (const f of kit.codeFiles()) assert.ok(existsSync(f), f);
  const torch = KITS.find((k) => k.name === 'torch')!;
  assert.deepEqual(
    torch.codeFiles().map((f) => basename(f)),
    [
      'aoti_package.py',
      'compile_cache.py',
      'fused_blocks.py',
      'fused_engine.py',
      'fused_triton.py',
      'torch_aoti.py',
      'torch_engine.py',
      'torch_graph.py',
      'torch_modes.py',
      'torch_ops.py',
      'torch_runner.py',
      'torch_shape_ops.py',
      'torch_timing.py',
    ],
  );
});
