/**
 * `make calibration-data`: calibration folders for the openWakeWord models of the corpus, in ONNX's
 * test_data_set_N layout (configs/examples/data/<model>/calibration/), from synthesized speech-like sound
 * run through the models' own pipeline, as openWakeWord feeds them:
 *   audio: 16 clips of 4 s at 16 kHz, each a sequence of vowels (a glottal pulse train at 100–220 Hz through
 *     the formant resonators of /a/, /i/, /u/, /e/, /o/), scaled to int16 amplitudes as openWakeWord passes
 *     them (float32 values of int16 samples); not recordings.
 *   oww_melspectrogram: 1280-sample chunks of the clips.
 *   oww_embedding: 76-frame windows of the clips' mel spectrogram, transformed as openWakeWord does (x/10 + 2).
 *   wake-word heads: 16, 25 or 34 consecutive embeddings (one per 8 mel frames) of a clip.
 * Deterministic: the same files come out on every run.
 * usage: node dist/bench/make-calibration.js [--out configs/examples/data]
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DType } from '../onnx/ir.js';
import { runTensorsOnce } from '../onnx/ort.js';
import { encodeTensorBytes } from '../onnx/serde.js';
import { makeTensor } from '../onnx/tensor.js';
import { fromRoot } from '../test/repo-root.js';

const { values: args } = parseArgs({
  options: { out: { type: 'string', default: fromRoot('configs/examples/data') } },
});
const RATE = 16000;
const CLIPS = 16;
const VOWELS: Array<[number, number, number]> = [
  [700, 1220, 2600],
  [300, 2300, 3000],
  [300, 870, 2250],
  [530, 1850, 2500],
  [570, 840, 2410],
];

/** A pulse train at f0 through three resonators (one vowel), `n` samples. */
function vowel(n: number, f0: number, formants: readonly number[]): Float32Array {
  let s = Float32Array.from({ length: n }, (_, i) => (i % Math.round(RATE / f0) === 0 ? 1 : 0));
  for (const f of formants) {
    const r = Math.exp((-Math.PI * 120) / RATE);
    const th = (2 * Math.PI * f) / RATE;
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++)
      y[i] = (s[i] as number) + 2 * r * Math.cos(th) * (y[i - 1] ?? 0) - r * r * (y[i - 2] ?? 0);
    s = y;
  }
  const peak = s.reduce((m, x) => Math.max(m, Math.abs(x)), 0) || 1;
  return s.map((x) => x / peak);
}

/** Clip k: eight vowels of 0.5 s, f0 and loudness varying with k, at int16 amplitudes. */
function clip(k: number): Float32Array {
  const out = new Float32Array(4 * RATE);
  for (let v = 0; v < 8; v++) {
    const part = vowel(RATE / 2, 100 + ((k * 37 + v * 11) % 120), VOWELS[(k + v) % VOWELS.length]!);
    const gain = 3000 + ((k * 1931 + v * 577) % 9000);
    out.set(
      part.map((x) => Math.round(x * gain)),
      v * (RATE / 2),
    );
  }
  return out;
}

const model = (name: string) => fromRoot('.cache/models', `${name}.onnx`);
const run = async (name: string, input: string, dims: number[], data: Float32Array) => {
  const out = await runTensorsOnce(
    model(name),
    { [input]: { type: 'float32', dims, data } },
    { graphOptimizationLevel: 'disabled' },
  );
  const t = Object.values(out)[0]!;
  return { dims: t.dims, data: t.data as Float32Array };
};

async function writeSets(name: string, input: string, dims: number[], samples: Float32Array[]): Promise<void> {
  const dir = join(args.out as string, name, 'calibration');
  await rm(dir, { recursive: true, force: true });
  for (const [k, data] of samples.entries()) {
    await mkdir(join(dir, `test_data_set_${k}`), { recursive: true });
    await writeFile(
      join(dir, `test_data_set_${k}`, 'input_0.pb'),
      encodeTensorBytes(makeTensor(input, DType.FLOAT, dims, data)),
    );
  }
  console.log(`${name}: ${samples.length} sets of [${dims.join(', ')}]`);
}

const clips = Array.from({ length: CLIPS }, (_, k) => clip(k));
await writeSets(
  'oww_melspectrogram',
  'input',
  [1, 1280],
  clips.map((c, k) => c.slice(k * 1280 * 2, k * 1280 * 2 + 1280)),
);
const mels: Float32Array[] = [];
for (const c of clips) {
  const mel = await run('oww_melspectrogram', 'input', [1, c.length], c);
  mels.push(mel.data.map((x) => x / 10 + 2));
}
const frames = (m: Float32Array) => m.length / 32;
await writeSets(
  'oww_embedding',
  'input_1',
  [1, 76, 32, 1],
  mels.map((m, k) => m.slice((k % (frames(m) - 76)) * 32, ((k % (frames(m) - 76)) + 76) * 32)),
);
const embeddings: Float32Array[][] = [];
for (const m of mels) {
  const windows: Float32Array[] = [];
  for (let f = 0; f + 76 <= frames(m); f += 8)
    windows.push((await run('oww_embedding', 'input_1', [1, 76, 32, 1], m.slice(f * 32, (f + 76) * 32))).data);
  embeddings.push(windows);
}
const heads: Array<[string, string, number]> = [
  ['oww_alexa', 'onnx::Flatten_0', 16],
  ['oww_hey_jarvis', 'x.1', 16],
  ['oww_hey_rhasspy', 'onnx::Flatten_0', 16],
  ['oww_hello_deepa', 'onnx::Flatten_0', 25],
  ['oww_timer', 'onnx::Flatten_0', 34],
];
for (const [name, input, n] of heads) {
  const sets = embeddings.map((e, k) => {
    const start = k % Math.max(1, e.length - n + 1);
    const out = new Float32Array(n * 96);
    e.slice(start, start + n).forEach((w, i) => out.set(w, i * 96));
    return out;
  });
  await writeSets(name, input, [1, n, 96], sets);
}
