import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import { builtFiles } from '../../measure/engine-stage.js';
import benchmark from '../../stages/benchmark/index.js';
import { BUILDS, ENGINE_STAGES, KITS } from '../../stages/benchmark/kits.js';
import { loadRunners } from '../../stages/benchmark/run-bench.js';
import { registry } from '../../stages/index.js';

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
      'fused_gather.py',
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

test("the engine stages, the engines command's targets, the benchmark's inputs: all from the kits' builds", () => {
  const names = [
    'engine:trt:fp32',
    'engine:trt:fp16',
    'engine:trt:int8',
    'engine:torch-compile:fp32',
    'engine:torch-compile:fp16',
    'engine:torch-aoti:fp32',
    'engine:torch-aoti:fp16',
    'engine:torch-fused:fp16',
  ];
  const engineStages = registry.stages.filter((s) => s.name.startsWith('engine:'));
  assert.deepEqual(
    engineStages.map((s) => s.name),
    names,
  );
  assert.deepEqual(ENGINE_STAGES, engineStages);
  for (const s of engineStages) {
    const [, engine, precision] = s.name.split(':');
    assert.deepEqual(s.tags, { precision, engine });
    assert.ok('engine' in s.outputs, s.name);
  }
  assert.deepEqual(registry.commands['engines']?.targets, names);
  const inputs = Object.entries(benchmark.inputs).filter(([, ref]) => ref.stage.startsWith('engine:'));
  assert.deepEqual(
    inputs.map(([label, ref]) => [label, ref.stage, ref.output, ref.optional]),
    [
      ['trtFp32', 'engine:trt:fp32', 'engine', true],
      ['trtFp16', 'engine:trt:fp16', 'engine', true],
      ['trtInt8', 'engine:trt:int8', 'engine', true],
      ['compiledFp32', 'engine:torch-compile:fp32', 'engine', true],
      ['compiledFp16', 'engine:torch-compile:fp16', 'engine', true],
      ['aotiFp32', 'engine:torch-aoti:fp32', 'engine', true],
      ['aotiFp16', 'engine:torch-aoti:fp16', 'engine', true],
      ['fusedFp16', 'engine:torch-fused:fp16', 'engine', true],
    ],
  );
  const files = { trtFp16: '/e/model.fp16.engine', aotiFp32: '/e/torch-aoti.fp32.pt2' };
  assert.deepEqual(builtFiles(BUILDS, files), {
    trt: { fp32: undefined, fp16: '/e/model.fp16.engine', int8: undefined },
    compiled: { fp32: undefined, fp16: undefined },
    aoti: { fp32: '/e/torch-aoti.fp32.pt2', fp16: undefined },
    fused: { fp16: undefined },
  });
});
