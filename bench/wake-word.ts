/**
 * A wake-word head's input from speech, computed as openWakeWord's feature pipeline does: 16 kHz audio (int16
 * scale) → the melspectrogram model → mel / 10 + 2 → the embedding model on windows of 76 frames every 8 →
 * the last 16 embeddings, [1, 16, 96]. The speech is espeak-ng's synthesis of a phrase, resampled to 16 kHz
 * and placed so that it ends where the ~2 s the head looks at ends (the moment a streaming detector scores it).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { runTensorsOnce } from '../onnx/ort.js';

const RATE = 16000;
/** 196 mel frames (76 + 15 × 8) at a 160-sample hop, and the melspectrogram's own window. */
const SAMPLES = 2 * RATE + 480;
const WINDOW = 76;
const STEP = 8;
const EMBEDDINGS = 16;

/** The samples of a 16-bit mono PCM WAV file, at its own rate. */
function pcm(wav: Buffer): { rate: number; samples: Float32Array } {
  let offset = 12;
  while (wav.toString('ascii', offset, offset + 4) !== 'data') offset += 8 + wav.readUInt32LE(offset + 4);
  const samples = new Float32Array(wav.readUInt32LE(offset + 4) / 2);
  for (let i = 0; i < samples.length; i++) samples[i] = wav.readInt16LE(offset + 8 + 2 * i);
  return { rate: wav.readUInt32LE(24), samples };
}

/** Linear interpolation to 16 kHz: espeak-ng's 22,050 Hz has nothing above 8 kHz worth keeping for a mel front end. */
function to16k(x: Float32Array, rate: number): Float32Array {
  const y = new Float32Array(Math.floor((x.length * RATE) / rate));
  for (let i = 0; i < y.length; i++) {
    const t = (i * rate) / RATE;
    const k = Math.floor(t);
    y[i] = (x[k] ?? 0) * (1 - (t - k)) + (x[k + 1] ?? 0) * (t - k);
  }
  return y;
}

/** espeak-ng's `phrase` (voice en-us, 140 words a minute) as 16 kHz samples. */
export async function speak(phrase: string, workDir: string): Promise<Float32Array> {
  const file = join(workDir, 'speech.wav');
  await execa('espeak-ng', ['-v', 'en-us', '-s', '140', '-w', file, phrase]);
  const { rate, samples } = pcm(await readFile(file));
  return to16k(samples, rate);
}

/** The head's input for `speech`, ending at the end of the 2 s the head sees, silence before it. */
export async function headInput(speech: Float32Array, models: string): Promise<Float32Array> {
  const audio = new Float32Array(SAMPLES);
  audio.set(speech.subarray(Math.max(0, speech.length - SAMPLES)), Math.max(0, SAMPLES - speech.length));
  const melOut = await runTensorsOnce(join(models, 'oww_melspectrogram.onnx'), {
    input: { type: 'float32', dims: [1, SAMPLES], data: audio },
  });
  const mel = melOut['output'];
  if (!mel || !(mel.data instanceof Float32Array)) throw new Error('oww_melspectrogram: no float32 output');
  const spec = mel.data.map((v) => v / 10 + 2);
  const bands = mel.dims.at(-1) as number;
  const frames = spec.length / bands;
  const starts = Array.from({ length: Math.floor((frames - WINDOW) / STEP) + 1 }, (_, k) => k * STEP);
  const windows = new Float32Array(starts.length * WINDOW * bands);
  starts.forEach((s, k) => windows.set(spec.subarray(s * bands, (s + WINDOW) * bands), k * WINDOW * bands));
  const embOut = await runTensorsOnce(join(models, 'oww_embedding.onnx'), {
    input_1: { type: 'float32', dims: [starts.length, WINDOW, bands, 1], data: windows },
  });
  const embedded = Object.values(embOut)[0];
  if (!embedded || !(embedded.data instanceof Float32Array)) throw new Error('oww_embedding: no float32 output');
  const width = embedded.data.length / starts.length;
  return embedded.data.slice((starts.length - EMBEDDINGS) * width);
}
