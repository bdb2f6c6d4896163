/**
 * `make check-data`: real check data for the corpus models where seeded noise proves little, as ONNX
 * test_data_set folders: configs/examples/data/<model>/test_data_set_0/input_N.pb, plus output_N.pb from
 * onnxruntime-node (optimizer disabled) on the original model.
 *   ppocr_v4_det / ppocr_v4_rec / ppocr_mobile_v2_cls: text rendered to pixels (an SVG through resvg with
 *     DejaVu Sans), normalized as PaddleOCR does (det: ImageNet mean/std; rec, cls: (x − 0.5) / 0.5).
 *   silero_vad_*: 512 samples (32 ms at 16 kHz) of a synthesized voiced sound, not a recording: a 140 Hz
 *     glottal pulse train through three formant resonators of the vowel /a/ (700, 1220, 2600 Hz), with zero
 *     recurrent state and sr = 16000.
 * Deterministic: the same files come out on every run (no noise, fixed fonts).
 * usage: node dist/bench/make-check-data.js [--out configs/examples/data]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Resvg } from '@resvg/resvg-js';
import { DType, type Tensor } from '../onnx/ir.js';
import { runTensorsOnce, type AnyTensor } from '../onnx/ort.js';
import { encodeTensorBytes, readModelFile } from '../onnx/serde.js';
import { makeTensor } from '../onnx/tensor.js';
import { fromRoot } from '../test/repo-root.js';

const { values: args } = parseArgs({
  options: { out: { type: 'string', default: fromRoot('configs/examples/data') } },
});

/** Text on white, as RGB planes [3, h, w] of 0..1. */
function renderText(lines: string[], width: number, height: number, size: number): Float32Array {
  const text = lines.map((l, i) => `<text x="6" y="${(i + 1) * size * 1.15}" font-size="${size}">${l}</text>`).join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="white"/>${text}</svg>`;
  const fontDirs = ['/usr/share/fonts/truetype/dejavu'];
  const font = { loadSystemFonts: false, fontDirs, defaultFontFamily: 'DejaVu Sans' };
  const image = new Resvg(svg, { font }).render();
  const px = image.pixels;
  const out = new Float32Array(3 * width * height);
  const plane = width * height;
  for (let c = 0; c < 3; c++) for (let i = 0; i < plane; i++) out[c * plane + i] = (px[4 * i + c] as number) / 255;
  return out;
}

const normalize = (planes: Float32Array, mean: number[], std: number[]): Float32Array => {
  const n = planes.length / 3;
  return planes.map((x, i) => (x - (mean[Math.floor(i / n)] as number)) / (std[Math.floor(i / n)] as number));
};

/** A vowel-like voiced signal: pulses at f0 through second-order resonators at the formants. */
function voiced(samples: number, rate: number): Float32Array {
  let signal = Float32Array.from({ length: samples }, (_, i) => (i % Math.round(rate / 140) === 0 ? 1 : 0));
  for (const [f, bw] of [
    [700, 110],
    [1220, 120],
    [2600, 160],
  ] as const) {
    const r = Math.exp((-Math.PI * bw) / rate);
    const theta = (2 * Math.PI * f) / rate;
    const a1 = 2 * r * Math.cos(theta);
    const a2 = -r * r;
    const y = new Float32Array(samples);
    for (let i = 0; i < samples; i++) y[i] = (signal[i] as number) + a1 * (y[i - 1] ?? 0) + a2 * (y[i - 2] ?? 0);
    signal = y;
  }
  const peak = signal.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  return signal.map((x) => (0.5 * x) / peak);
}

const f32 = (name: string, dims: number[], data: Float32Array): Tensor => makeTensor(name, DType.FLOAT, dims, data);
const zeros = (name: string, dims: number[]): Tensor =>
  f32(name, dims, new Float32Array(dims.reduce((a, b) => a * b, 1)));

const image = (lines: string[], w: number, h: number, size: number, mean: number[], std: number[]) => [
  f32('x', [1, 3, h, w], normalize(renderText(lines, w, h, size), mean, std)),
];
const rec = [0.5, 0.5, 0.5];
const IMAGENET_MEAN = [0.485, 0.456, 0.406];
const IMAGENET_STD = [0.229, 0.224, 0.225];
const voice = voiced(512, 16000);
const sr = makeTensor('sr', DType.INT64, [], [16000n]);

const sets: Record<string, Tensor[]> = {
  ppocr_v4_det: image(['enginefoundry 2026', 'Compile your own model'], 256, 96, 26, IMAGENET_MEAN, IMAGENET_STD),
  ppocr_v4_rec: image(['Hello 2026'], 160, 48, 30, rec, rec),
  ppocr_mobile_v2_cls: image(['model text'], 192, 48, 30, rec, rec),
  silero_vad_v5: [f32('input', [1, 512], voice), zeros('state', [2, 1, 128]), sr],
  silero_vad_v6: [f32('input', [1, 512], voice), zeros('state', [2, 1, 128]), sr],
  silero_vad_legacy: [f32('input', [1, 512], voice), sr, zeros('h', [2, 1, 64]), zeros('c', [2, 1, 64])],
  silero_vad_op15: [f32('input', [1, 512], voice), zeros('state', [2, 1, 128]), sr],
  silero_vad_op18: [f32('input', [1, 512], voice), sr, zeros('state', [2, 1, 128])],
  silero_vad_half: [f32('input', [1, 512], voice), zeros('state', [2, 1, 128])],
};

const anyTensor = (t: Tensor): AnyTensor => {
  const raw = t.proto.rawData as Uint8Array;
  const copy = raw.slice().buffer;
  return t.dtype === DType.INT64
    ? { type: 'int64', dims: t.dims, data: new BigInt64Array(copy) }
    : { type: 'float32', dims: t.dims, data: new Float32Array(copy) };
};

for (const [name, inputs] of Object.entries(sets)) {
  const model = await readModelFile(fromRoot('.cache/models', `${name}.onnx`));
  if (!model.ok) throw new Error(`${model.error} (run make models first)`);
  const feeds = Object.fromEntries(inputs.map((t) => [t.name, anyTensor(t)]));
  const options = { graphOptimizationLevel: 'disabled', intraOpThreads: 1 } as const;
  const outputs = await runTensorsOnce(fromRoot('.cache/models', `${name}.onnx`), feeds, options);
  const dir = join(args.out, name, 'test_data_set_0');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  for (const [k, t] of inputs.entries()) await writeFile(join(dir, `input_${k}.pb`), encodeTensorBytes(t));
  const summary: string[] = [];
  for (const [k, out] of model.value.graph.outputs.entries()) {
    const o = outputs[out.name];
    if (!o || !(o.data instanceof Float32Array)) {
      throw new Error(`Internal error: ${name} output ${out.name} is not float32`);
    }
    await writeFile(join(dir, `output_${k}.pb`), encodeTensorBytes(f32(out.name, [...o.dims], o.data)));
    const nonzero = o.data.filter((x) => Math.abs(x) > 1e-3).length;
    const max = o.data.reduce((m, x) => Math.max(m, x), -Infinity);
    summary.push(`${out.name} [${o.dims.join(',')}] ${nonzero}/${o.data.length} |x|>1e-3, max ${max.toFixed(3)}`);
  }
  console.log(`${name}: ${summary.join('; ')}`);
}
