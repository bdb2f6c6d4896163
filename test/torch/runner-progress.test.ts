/**
 * The live line while the torch runner measures in two processes (torch/measure.ts: the other modes, then the
 * AOTInductor package in a process of its own), with the project's torch 2.13 on a small convnet. The stage's
 * line keeps the last step it was told (pipeline/log/progress.ts), so the second process must say itself at
 * once: on the GPU machine its package load took ~50 s, during which the line showed the first part's last
 * sample ("torch-cudagraph fp16 batch 256 timed · 60/100"). The package here is not one (a file aoti_load_package
 * refuses): the load is announced, then the run is skipped with the loader's message.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { EngineName, RunnerRequest } from '../../measure/kit.js';
import { feedsOf } from '../../measure/feeds.js';
import { DType } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import { exec } from '../../pipeline/execute/exec.js';
import { torchRunner } from '../../torch/measure.js';
import { smallNet, vi } from '../onnx/model-kit.js';
import { benchConfig, kitSections } from '../../stages/benchmark/kits.js';

test('the AOTInductor part names itself and its package load, not the eager part’s last sample', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-torch-progress-'));
  const net = smallNet();
  net.graph.inputs = [vi('x', DType.FLOAT, ['N', 3, 8, 8])];
  net.graph.outputs = [vi('y', DType.FLOAT, ['N', 5])];
  const model = join(dir, 'net.onnx');
  const modelBytes = encodeModel(net);
  writeFileSync(model, modelBytes);
  const pt2 = join(dir, 'torch-aoti.fp32.pt2');
  writeFileSync(pt2, 'not a package');
  const feeds = feedsOf(net, {}, 0);
  assert.ok(feeds.ok);
  const engines: EngineName[] = ['torch-eager', 'torch-aoti'];
  const lines: string[] = [];
  const r: RunnerRequest = {
    // Sampling for 1.5 s: long enough for the runner to report the timed loop (every 0.5 s).
    config: benchConfig({
      bench: { warmup: 1, runs: 100_000, max_seconds: 1.5, batch_sizes: [1], engines, precisions: ['fp32'] },
    }),
    ...kitSections({}),
    artifacts: { model, source: model, built: { aoti: { fp32: pt2 } } },
    workDir: dir,
    exec,
    log: { info: () => undefined, warn: () => undefined, progress: (_n, _t, what) => lines.push(what ?? '') },
    engines,
    batches: [1],
    feeds: feeds.value,
    modelBytes,
  };
  const found = await torchRunner.available(r);
  assert.ok(found.ok, found.ok ? '' : found.error.message);
  const group = await torchRunner.measure(r, found.value, [{ precision: 'fp32', artifact: model }]);
  assert.deepEqual(
    group.measured.map((m) => m.measurement.engine),
    ['torch-eager'],
  );
  assert.deepEqual(
    group.skipped.map((s) => [s.engine, s.kind]),
    [['torch-aoti', 'engine-failed']],
  );
  const last = lines.findLastIndex((l) => l.startsWith('torch-eager fp32 batch 1 timed'));
  assert.ok(last > 0, lines.join('\n'));
  assert.deepEqual(lines.slice(last + 1), [
    'torch-aoti: starting the torch runner (1 runs)',
    'torch-aoti fp32 batch 1 loading the AOTInductor package',
  ]);
});
