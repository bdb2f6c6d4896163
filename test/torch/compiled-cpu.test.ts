/**
 * The compiled PyTorch engines for real on the CPU, with the project's torch 2.13 (.venv, found by the default
 * Python search): a user's small convnet (Conv, BatchNormalization, Relu, GlobalAveragePool, Flatten, Gemm, a
 * symbolic batch N and named height and width, given by model.dims as PP-OCR's are; six nodes: the compiles'
 * fixed C++ cost, not the model, is most of their time) through the shipped CLI's `run --model`.
 * engine:torch-compile:fp32 (one batch size, one compile) and engine:torch-aoti:fp32 are built and stored; the
 * benchmark loads both: torch.compile starts warm from the engine (its cold compile beside it), the AOTInductor
 * package is loaded once and called at two batch sizes (its batch dimension is dynamic); every output within the
 * FP32 tolerance of the reference. A second `engines` builds nothing, and the
 * stored .pt2 runs in a plain Python program as docs/compiled-engines.md shows.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { exec } from '../../pipeline/execute/exec.js';
import type { BenchFile } from '../../measure/result.js';
import { readManifest, shippedCli } from '../cli/cli-kit.js';
import { DType } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import { smallNet, vi } from '../onnx/model-kit.js';
import { projectPython } from '../python.js';
import { fromRoot } from '../repo-root.js';

const dir = mkdtempSync(join(tmpdir(), 'ef-compiled-cpu-'));
const artifacts = join(dir, 'artifacts');
const config = join(dir, 'tiny.yaml');
const modelPath = join(dir, 'net.onnx');
const net = smallNet();
net.graph.inputs = [vi('x', DType.FLOAT, ['N', 3, 'H', 'W'])];
net.graph.outputs = [vi('y', DType.FLOAT, ['N', 5])];
writeFileSync(modelPath, encodeModel(net));
writeFileSync(
  config,
  `model:
  dims: { H: 8, W: 8 }
bench:
  warmup: 1
  runs: 5
  max_seconds: 0.5
  batch_sizes: [1, 2]
  engines: [torch-compile, torch-aoti]
  precisions: [fp32]
  torch: { compile_batch_sizes: [1] }
`,
);
const ENGINES = ['engine:torch-compile:fp32', 'engine:torch-aoti:fp32'];
/** bench.tolerance.fp32's default: engines differ from the reference only in summation order. */
const REL_L2 = 1e-4;

test('both compiled engines built, stored and measured on the CPU with torch 2.13, correct to 1e-4', async () => {
  // Three compiles (cold, warm, ahead of time) and every stage of `run`.
  const r = await shippedCli(
    ['run', '--config', config, '--model', modelPath, '--artifacts', artifacts],
    fromRoot(),
    540_000,
  );
  assert.equal(r.exitCode, 0, r.stderr);
  const stages = readManifest(artifacts).stages;
  for (const name of ENGINES) assert.equal(stages[name]?.status, 'built', `${name}: ${stages[name]?.reason}`);
  const bench = JSON.parse(readFileSync(join(artifacts, 'latest', 'bench.json'), 'utf8')) as BenchFile;
  assert.equal(bench.environment.versions['torch'], '2.13.0+cpu');
  const of = (engine: string) => bench.measurements.filter((m) => m.engine === engine);
  const batches = { 'torch-compile': [1], 'torch-aoti': [1, 2] };
  for (const [engine, want] of Object.entries(batches)) {
    assert.deepEqual(
      of(engine).map((m) => m.batch),
      want,
      `${engine}: ${JSON.stringify(bench.skipped)}`,
    );
    for (const m of of(engine))
      assert.ok(m.correctness!.relL2 <= REL_L2, `${engine} b${m.batch}: ${m.correctness!.relL2}`);
  }
  for (const m of of('torch-compile')) {
    assert.equal(m.settings['compileCache'], 'loaded', 'the benchmark started from the stored engine');
    const binaries = m.settings['compileBinaries'];
    assert.ok(typeof binaries === 'number' && binaries > 0, `its compiled C++ libraries were used: ${binaries}`);
    assert.equal(typeof m.settings['coldCompileMs'], 'number', "the engine build's cold compile, beside the warm");
    assert.equal(typeof m.settings['compileMs'], 'number');
  }
  for (const m of of('torch-aoti')) {
    assert.equal(typeof m.settings['aotiLoadMs'], 'number');
    assert.equal(m.artifact, 'torch-aoti.fp32.pt2');
  }
  const report = readFileSync(join(artifacts, 'latest', 'report.md'), 'utf8');
  assert.match(report, /Start-up of the compiled engines/);
  assert.match(report, /torch-aoti fp32 \| 2 \| – \| – \| – \| [\d.]+ s \| package loaded, no compile/);
});

test('a second engines run builds nothing; the stored .pt2 runs in a plain Python program', async () => {
  const r = await shippedCli(['engines', '--config', config, '--model', modelPath, '--artifacts', artifacts]);
  assert.equal(r.exitCode, 0, r.stderr);
  const stages = readManifest(artifacts).stages;
  for (const name of ENGINES) assert.equal(stages[name]?.status, 'cached', name);
  const script = [
    'import sys, torch',
    'model = torch._inductor.aoti_load_package(sys.argv[1])',
    'with torch.no_grad():',
    '    y = model(torch.randn(3, 3, 8, 8))',
    'print(tuple(y.shape))',
  ].join('\n');
  const run = await exec(projectPython, ['-c', script, join(artifacts, 'latest', 'torch-aoti.fp32.pt2')]);
  assert.equal(run.exitCode, 0, run.stderr);
  assert.equal(run.stdout.trim(), '(3, 5)', 'batch 3, measured at neither 1 nor 2: the batch is dynamic');
});
