/**
 * The graph torch_runner.py reads: every initializer's bytes, float16 included, and a plain refusal of what it
 * cannot run.
 */
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModel } from '../../onnx/serde.js';
import { exec } from '../../pipeline/execute/exec.js';
import { exportForTorch } from '../../torch/graph-export.js';
import { probeTorch, runTorch } from '../../torch/runner-process.js';
import { tinyMobileNet } from '../stages/benchmark/tiny-mobilenet.js';

const { opt, fp16 } = tinyMobileNet();

test('float16 weights keep their bytes; every tensor is 8-byte aligned and sized by its type', () => {
  const g = exportForTorch(encodeModel(fp16), 'model.fp16.onnx');
  assert.ok(g.ok, g.ok ? '' : g.error);
  const halves = g.value.graph.initializers.filter((t) => t.dtype === 'float16');
  assert.ok(halves.length > 10);
  for (const t of g.value.graph.initializers) {
    const size = { float16: 2, float32: 4, int64: 8 }[t.dtype as 'float16'] ?? 1;
    assert.equal(t.length, t.dims.reduce((a, b) => a * b, 1) * size, t.name);
    assert.equal(t.offset % 8, 0);
  }
  assert.ok(
    g.value.graph.nodes.some((n) => n.op === 'Cast'),
    'Casts at the float32 boundary',
  );
  assert.equal(g.value.graph.nodes.length, fp16.graph.nodes.filter((n) => n.opType !== 'Constant').length);
});

test('an operator the runner does not know is refused by name and kind, not run wrongly', async () => {
  const found = await probeTorch('', exec);
  assert.ok(found.ok, found.ok ? '' : found.error.reason);
  const odd = structuredClone({ ...opt, graph: { ...opt.graph, nodes: opt.graph.nodes.map((n) => ({ ...n })) } });
  const victim = odd.graph.nodes.find((n) => n.opType === 'Add');
  assert.ok(victim);
  victim.opType = 'BitShift';
  const g = exportForTorch(encodeModel(odd), 'odd.onnx');
  assert.ok(g.ok);
  const dir = await mkdtemp(join(tmpdir(), 'ef-runner-'));
  await writeFile(join(dir, 'graph.json'), JSON.stringify(g.value.graph));
  await writeFile(join(dir, 'weights.bin'), g.value.weights);
  await writeFile(join(dir, 'x.f32'), new Uint8Array(4 * 3 * 32 * 32));
  const reply = await runTorch(
    exec,
    found.value.python,
    {
      graph: join(dir, 'graph.json'),
      weights: join(dir, 'weights.bin'),
      inputs: { 1: [{ name: 'input', dtype: 'float32', dims: [1, 3, 32, 32], file: join(dir, 'x.f32') }] },
      outputDir: dir,
      warmup: 0,
      warmupMaxSeconds: 1,
      iterations: 1,
      maxSeconds: 1,
      minSamples: 1,
      device: 'cpu',
      threads: 1,
      tf32: false,
      cudnnBenchmark: false,
      compileMode: '',
      runs: [{ id: 'e', mode: 'eager', precision: 'fp32', batch: 1, channelsLast: false }],
    },
    60_000,
  );
  assert.ok(reply.ok, reply.ok ? '' : reply.error);
  const [run] = reply.value.results;
  assert.ok(run && !run.ok, 'the run is answered, not run');
  assert.equal(run.kind, 'unsupported-operator');
  assert.match(run.reason, /^the torch runner does not cover 1 operator of this model: BitShift \(1 node\)$/);
});
