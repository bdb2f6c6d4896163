/**
 * A stopped run abandons the measurement in progress within a second, not at its time box: real onnxruntime on
 * a small model, with a budget of 5 s and a stop after 200 ms.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType } from '../../onnx/ir.js';
import { encodeModel } from '../../onnx/serde.js';
import { measureOrt } from '../../ort/runner.js';
import { floats, model, node, vi } from '../onnx/model-kit.js';

test('an ORT measurement stops within a second of the run being stopped', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'ef-stop-ort-')), 'add.onnx');
  const add = model({
    inputs: [vi('x', DType.FLOAT, [1, 4])],
    outputs: [vi('y', DType.FLOAT, [1, 4])],
    initializers: [floats('w', [4], [1, 2, 3, 4])],
    nodes: [node('Add', ['x', 'w'], ['y'], {}, 'add')],
  });
  writeFileSync(path, encodeModel(add));
  const stop = new AbortController();
  const budget = { runs: 10_000_000, maxMs: 5000, minSamples: 10 };
  const run = measureOrt({
    path,
    artifact: 'add.onnx',
    precision: 'fp32',
    batch: 1,
    feeds: { x: { type: 'float32', dims: [1, 4], data: new Float32Array([1, 1, 1, 1]) } },
    warmup: { ...budget, maxMs: 100 },
    timed: budget,
    settings: { level: 'all', intraOpThreads: 1, interOpThreads: 1 },
    signal: stop.signal,
  });
  await new Promise((r) => setTimeout(r, 300));
  stop.abort('SIGINT');
  const stopped = performance.now();
  const r = await run;
  const took = performance.now() - stopped;
  assert.ok(took < 1000, `the measurement went on ${took.toFixed(0)} ms after the stop`);
  assert.equal(r.ok, false, 'a stopped measurement is no measurement');
});
