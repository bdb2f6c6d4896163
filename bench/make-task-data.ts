/**
 * `make task-data`: labelled check data for the task metric (stages/benchmark/task.ts), labels by construction,
 * as ONNX test_data_set_1 folders beside make-check-data's test_data_set_0:
 *   ppocr_mobile_v2_cls: 16 text lines, each upright (class 0) and turned 180° (class 1): a batch of 32 [3, 48, 192]
 *   ppocr_v4_rec: 16 strings, a batch of 16 [3, 48, 160], their texts and PaddleOCR's dictionary (ppocr_keys_v1.txt
 *     from the model's npm package, fetched by make models) for the CTC decode
 * Each folder gets input_0.pb and labels.json (docs/own-model.md, "Labels"); the classifier's also output_0.pb
 * (onnxruntime-node, optimizer disabled, on the original model), the recognizer's not: 16 × 20 × 6625 floats of
 * softmax (8 MB) would be most of the repository's data, and its labels say more. Deterministic: same fonts,
 * same files on every run.
 * usage: node dist/bench/make-task-data.js [--out configs/examples/data]
 */
import { copyFile, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DType } from '../onnx/ir.js';
import { runTensorsOnce } from '../onnx/ort.js';
import { encodeTensorBytes } from '../onnx/serde.js';
import { makeTensor } from '../onnx/tensor.js';
import { fromRoot } from '../test/repo-root.js';
import { LINE_HEIGHT, textLine, type Line } from './text-lines.js';

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

/** `dictionary` is copied in beside the labels; without it, output_0.pb is written (rec's would be 8 MB of softmax). */
async function writeSet(name: string, width: number, rows: Float32Array[], labels: object, dictionary?: string) {
  const batch = new Float32Array(rows.length * rows[0]!.length);
  rows.forEach((r, i) => batch.set(r, i * r.length));
  const dims = [rows.length, 3, LINE_HEIGHT, width];
  const model = fromRoot('.cache/models', `${name}.onnx`);
  const feeds = { x: { type: 'float32' as const, dims, data: batch } };
  const options = { graphOptimizationLevel: 'disabled', intraOpThreads: 1 } as const;
  const outputs = Object.entries(await runTensorsOnce(model, feeds, options));
  const [outName, out] = outputs[0] ?? [];
  if (!outName || !out || !(out.data instanceof Float32Array)) throw new Error(`${name}: no float32 output`);
  const dir = join(args.out, name, 'test_data_set_1');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'input_0.pb'), encodeTensorBytes(makeTensor('x', DType.FLOAT, dims, batch)));
  if (dictionary) await copyFile(dictionary, join(dir, 'dictionary.txt'));
  else
    await writeFile(join(dir, 'output_0.pb'), encodeTensorBytes(makeTensor(outName, DType.FLOAT, out.dims, out.data)));
  await writeFile(join(dir, 'labels.json'), `${JSON.stringify(labels, null, 2)}\n`);
  console.log(`${name}: ${rows.length} rows [${dims.join(', ')}] → ${dir}`);
}

const cls = lines(CLS_TEXTS, [24, 26, 22, 28]).flatMap((l) => [textLine(l, 192, false), textLine(l, 192, true)]);
await writeSet('ppocr_mobile_v2_cls', 192, cls, {
  comment: 'make task-data: each text line upright (0) then turned 180 degrees (1), PaddleOCR label_list ["0", "180"]',
  classes: cls.map((_, i) => i % 2),
});

const rec = lines(REC_TEXTS, [26, 28, 24]).map((l) => textLine(l, 160, false));
await writeSet(
  'ppocr_v4_rec',
  160,
  rec,
  {
    comment: 'make task-data: the rendered strings; classes are blank, dictionary.txt (ppocr_keys_v1.txt), space',
    texts: REC_TEXTS,
    ctc: { blank: 0, space: true },
  },
  fromRoot('.cache/models/ppocr_keys_v1.txt'),
);
