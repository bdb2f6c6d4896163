/**
 * The benchmark's inputs as the torch runner and the compiled-engine builds read them: one raw file per graph
 * input and batch size (torch_runner.py `read_inputs`), the same bytes for both, so an engine is built on the
 * inputs it is measured on.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AnyTensor } from '../onnx/ort.js';
import { ok, type Result } from '../pipeline/result.js';
import type { BenchInputs } from '../measure/feeds.js';
import type { TorchInputFile } from './runner-process.js';

/** Batch size → every graph input's file. */
export type InputFiles = Record<string, TorchInputFile[]>;

const bytesOf = (t: AnyTensor): Uint8Array => {
  const d = t.data as ArrayBufferView;
  return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
};

export async function writeInputs(
  dir: string,
  inputs: BenchInputs,
  batches: readonly number[],
): Promise<Result<InputFiles, string>> {
  const files: InputFiles = {};
  for (const b of batches) {
    files[String(b)] = [];
    const feeds = inputs.feeds(b);
    if (!feeds.ok) return feeds;
    for (const [i, [name, t]] of Object.entries(feeds.value).entries()) {
      const file = join(dir, `input-b${b}-${i}.bin`);
      await writeFile(file, bytesOf(t));
      files[String(b)]!.push({ name, dtype: t.type, dims: [...t.dims], file });
    }
  }
  return ok(files);
}
