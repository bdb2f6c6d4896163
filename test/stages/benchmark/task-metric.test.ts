/**
 * The task metric (stages/benchmark/task.ts) on real corpus models and the labelled check data that
 * `make task-data` rendered (configs/examples/data/<model>/test_data_set_1): PaddleOCR's direction classifier on
 * 32 text lines, 16 upright and the same 16 turned 180°; PP-OCRv4 recognition on 16 strings; two openWakeWord
 * heads on espeak-ng saying their wake word. The rates asserted are the ones measured on this data with
 * onnxruntime-node FP32 (docs/corpus.md): they are exact counts of decisions, so no tolerance.
 */
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkDataFiles } from '../../../onnx/inputs/index.js';
import { exec } from '../../../pipeline/execute/exec.js';
import { ctcGreedy, labelFiles, readLabels } from '../../../stages/benchmark/labels.js';
import type { Measurement } from '../../../measure/result.js';
import { runBenchmark } from '../../../stages/benchmark/run-bench.js';
import { taskMetric } from '../../../stages/benchmark/task.js';
import { tables } from '../../../stages/report/tables.js';
import { realModels } from '../../corpus/models.js';
import { fromRoot } from '../../repo-root.js';
import { benchConfig, kitSections } from '../../../stages/benchmark/kits.js';

const log = { info: () => undefined, warn: () => undefined };
const CLS_DIMS = { 'p2o.DynamicDimension.1': 48, 'p2o.DynamicDimension.2': 192 };
const REC_DIMS = { 'p2o.DynamicDimension.1': 160 };
const dataOf = (name: string) => fromRoot('configs/examples/data', name, 'test_data_set_1');

/** ORT FP32 on `name` at `batches`, fed the check data of `dir` (its labels.json included). */
async function bench(name: string, dir: string, dims: Record<string, number>, batches: number[]) {
  const [model] = realModels(name);
  const files = await checkDataFiles(dir);
  assert.ok(files.ok, files.ok ? '' : files.error);
  const config = benchConfig({
    bench: { warmup: 0, runs: 1, batch_sizes: batches, engines: ['ort'], precisions: ['fp32'] },
  });
  return runBenchmark({
    config,
    ...kitSections({}),
    artifacts: { model: model!.file, source: model!.file },
    workDir: await mkdtemp(join(tmpdir(), 'ef-task-')),
    exec,
    log,
    inputs: { dims },
    checkFiles: { ...files.value, ...(await labelFiles(dir)) },
  });
}

const taskAt = (ms: readonly Measurement[], batch: number) => ms.find((m) => m.batch === batch)?.correctness?.task;

/** A copy of `name`'s labelled set with labels.json rewritten by `edit`. */
async function relabelled(name: string, edit: (labels: Record<string, unknown>) => void): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ef-labels-'));
  const labels = JSON.parse(await readFile(join(dataOf(name), 'labels.json'), 'utf8')) as Record<string, unknown>;
  edit(labels);
  await writeFile(join(dir, 'labels.json'), JSON.stringify(labels));
  await copyFile(join(dataOf(name), 'input_0.pb'), join(dir, 'input_0.pb'));
  return dir;
}

test('CTC greedy decode: repeats collapse, a blank separates a doubled letter, a space after the dictionary', () => {
  const labels = { kind: 'texts', size: 1, texts: [''], blank: 0, symbols: ['a', 'b', 'l', ' '] } as const;
  assert.equal(ctcGreedy([0, 1, 1, 0, 3, 3, 0, 3, 2, 4, 2], labels), 'allb b');
  assert.equal(ctcGreedy([9], labels), '\uFFFD', 'a class beyond the dictionary can never match a label');
});

test('which outputs have decisions: softmax steps per position, [N, 1] probabilities, not logits or embeddings', () => {
  // Two rows of three steps over three classes, each step a softmax; the engine flips row 1's last step.
  const ref = Float32Array.from([
    0.7, 0.2, 0.1, 0.1, 0.8, 0.1, 0.3, 0.3, 0.4, 0.6, 0.3, 0.1, 0.2, 0.2, 0.6, 0.1, 0.5, 0.4,
  ]);
  const flipped = Float32Array.from(ref);
  flipped.set([0.1, 0.4, 0.5], 15);
  assert.deepEqual(taskMetric(flipped, ref, [2, 3, 3]), {
    metric: 'per-position-agreement',
    value: 5 / 6,
    samples: 6,
  });
  const logits = ref.map((v) => 3 * v);
  assert.equal(taskMetric(logits, logits, [2, 3, 3]), undefined, 'steps that are not distributions have no class');
  const probability = Float32Array.from([0.2, 0.7]);
  assert.deepEqual(taskMetric(Float32Array.from([0.6, 0.7]), probability, [2, 1]), {
    metric: 'decision-agreement',
    value: 0.5,
    samples: 2,
  });
  assert.equal(taskMetric(probability, Float32Array.from([-3, 2]), [2, 1]), undefined, 'a logit is not a decision');
});

test('direction classifier: 30 of 32 rendered orientations right at FP32; flipped labels give 2 of 32', async () => {
  const r = await bench('ppocr_mobile_v2_cls', dataOf('ppocr_mobile_v2_cls'), CLS_DIMS, [1, 32]);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  // Measured: the upright "page 3 of 7" (p(180°) = 0.52) and "Good day" (0.95) are read as turned; the other 30 right.
  assert.deepEqual(taskAt(r.value.measurements, 32), { metric: 'top1-labels', value: 30 / 32, samples: 32 });
  assert.deepEqual(taskAt(r.value.measurements, 1), { metric: 'top1-agreement', value: 1, samples: 1 });
  const cells = tables(r.value, undefined).flatMap((t) => t.rows.flat());
  assert.ok(
    cells.some((c) => c.endsWith('; top1-labels 93.8 % of 32')),
    'the report shows it beside relative L2',
  );

  const flipped = await relabelled('ppocr_mobile_v2_cls', (l) => {
    l['classes'] = (l['classes'] as number[]).map((c) => 1 - c);
  });
  const wrong = await bench('ppocr_mobile_v2_cls', flipped, CLS_DIMS, [32]);
  assert.ok(wrong.ok, wrong.ok ? '' : wrong.error.message);
  assert.deepEqual(taskAt(wrong.value.measurements, 32), { metric: 'top1-labels', value: 2 / 32, samples: 32 });
});

test('PP-OCRv4 recognition: all 16 rendered strings decoded exactly at FP32; shifted texts match none', async () => {
  const r = await bench('ppocr_v4_rec', dataOf('ppocr_v4_rec'), REC_DIMS, [1, 16]);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.deepEqual(taskAt(r.value.measurements, 16), { metric: 'exact-text', value: 1, samples: 16 });
  // 160 pixels wide: 20 time steps of 6625 classes.
  assert.deepEqual(taskAt(r.value.measurements, 1), { metric: 'per-position-agreement', value: 1, samples: 20 });

  const shifted = await relabelled('ppocr_v4_rec', (l) => {
    const texts = l['texts'] as string[];
    l['texts'] = [...texts.slice(1), texts[0]];
  });
  await copyFile(join(dataOf('ppocr_v4_rec'), 'dictionary.txt'), join(shifted, 'dictionary.txt'));
  const wrong = await bench('ppocr_v4_rec', shifted, REC_DIMS, [16]);
  assert.ok(wrong.ok, wrong.ok ? '' : wrong.error.message);
  assert.deepEqual(taskAt(wrong.value.measurements, 16), { metric: 'exact-text', value: 0, samples: 16 });
});

test('wake-word heads: espeak-ng saying the wake word is a yes at FP32; a "no" label drops it', async () => {
  for (const name of ['oww_alexa', 'oww_hey_jarvis']) {
    const r = await bench(name, dataOf(name), {}, [1]);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    // Measured scores: alexa 0.882, hey_jarvis 0.992 (their batch is fixed at 1: one window each).
    assert.deepEqual(taskAt(r.value.measurements, 1), { metric: 'decision-labels', value: 1, samples: 1 }, name);
  }
  const no = await relabelled('oww_alexa', (l) => {
    l['classes'] = [0];
  });
  const wrong = await bench('oww_alexa', no, {}, [1]);
  assert.ok(wrong.ok, wrong.ok ? '' : wrong.error.message);
  assert.deepEqual(taskAt(wrong.value.measurements, 1), { metric: 'decision-labels', value: 0, samples: 1 });

  const [head] = realModels('oww_alexa');
  const seeded = await runBenchmark({
    config: benchConfig({ bench: { warmup: 0, runs: 1, batch_sizes: [1], engines: ['ort'], precisions: ['fp32'] } }),
    ...kitSections({}),
    artifacts: { model: head!.file, source: head!.file },
    workDir: await mkdtemp(join(tmpdir(), 'ef-task-')),
    exec,
    log,
  });
  assert.ok(seeded.ok, seeded.ok ? '' : seeded.error.message);
  assert.deepEqual(taskAt(seeded.value.measurements, 1), { metric: 'decision-agreement', value: 1, samples: 1 });
});

test('labels that do not fit the model: one line naming the file, the benchmark fails as the user error', async () => {
  const short = await relabelled('ppocr_mobile_v2_cls', (l) => {
    l['classes'] = [0, 1];
  });
  const r = await bench('ppocr_mobile_v2_cls', short, CLS_DIMS, [32]);
  assert.ok(!r.ok);
  assert.equal(r.error.cause, 'bad-input');
  assert.match(r.error.message, /labels\.json: 2 labels for a batch of 32: give one per row of input_N\.pb$/);

  const outOfRange = await relabelled('ppocr_mobile_v2_cls', (l) => {
    l['classes'] = Array.from({ length: 32 }, () => 2);
  });
  const range = await bench('ppocr_mobile_v2_cls', outOfRange, CLS_DIMS, [32]);
  assert.ok(!range.ok && /labels\.json: class 2 is given, but the output has 2 classes/.test(range.error.message));

  const textless = await relabelled('ppocr_v4_rec', () => undefined);
  const noDictionary = await readLabels(join(textless, 'labels.json'));
  assert.ok(!noDictionary.ok && /dictionary\.txt cannot be read \(ENOENT\)/.test(noDictionary.error));

  const malformed = join(await mkdtemp(join(tmpdir(), 'ef-labels-')), 'labels.json');
  await writeFile(malformed, '{"classes": [0, 1,');
  const bad = await readLabels(malformed);
  assert.ok(!bad.ok && bad.error.startsWith(`${malformed} cannot be read as JSON`), bad.ok ? '' : bad.error);
});
