/**
 * Real inputs for numeric checks, in ONNX's own test-data layout (`test_data_set_N/input_0.pb …`,
 * `output_0.pb …`, each a serialized TensorProto). Noise can be meaningless to a real model (a text detector
 * answers it with all-zero maps), so a check on the user's data is the one that proves something.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Model, Tensor } from '../ir.js';
import { decodeTensorFile } from '../tensor.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { feedInputs } from './dims.js';

/** The user's real inputs (and expected outputs) for a model, in ONNX's test-data layout. */
export interface CheckData {
  /** Graph input name → its tensor. */
  inputs: ReadonlyMap<string, Tensor>;
  /** Expected outputs by graph output name, when the folder has `output_N.pb`. */
  outputs: ReadonlyMap<string, Tensor>;
}

const NUMBERED = /^(input|output)_(\d+)\.pb$/;

/** The `input_N.pb` / `output_N.pb` files of a folder, by kind and position: what keys and reads use. */
export async function checkDataFiles(dir: string): Promise<Result<Record<string, string>, string>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    return err(
      `model.check_data: ${dir} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}); give a ` +
        `folder laid out as ONNX's test_data_set_N (input_0.pb, …)`,
    );
  }
  const files = Object.fromEntries(
    names
      .filter((n) => NUMBERED.test(n))
      .sort()
      .map((n) => [n, join(dir, n)]),
  );
  if (!Object.keys(files).some((n) => n.startsWith('input_'))) {
    return err(`model.check_data: ${dir} has no input_N.pb; give a folder laid out as ONNX's test_data_set_N`);
  }
  return ok(files);
}

/** Matches each tensor to a graph tensor: by its name when it has one the graph knows, else by position. */
function match(
  kind: string,
  tensors: readonly Tensor[],
  names: readonly string[],
): Result<Map<string, Tensor>, string> {
  const out = new Map<string, Tensor>();
  for (const [k, t] of tensors.entries()) {
    const name = t.name && names.includes(t.name) ? t.name : names[k];
    if (name === undefined) {
      return err(
        `check data: ${kind}_${k}.pb has no ${kind} to match: the model has ${names.length} ${kind}s ` +
          `(${names.join(', ')})`,
      );
    }
    if (out.has(name)) return err(`check data: two ${kind} files give ${kind} '${name}'`);
    out.set(name, t);
  }
  return ok(out);
}

/** Reads check data from `files` (file name → path, as checkDataFiles lists them) and matches it to `model`. */
export async function readCheckData(
  files: Readonly<Record<string, string>>,
  model: Model,
): Promise<Result<CheckData, string>> {
  const byKind: Record<string, Tensor[]> = { input: [], output: [] };
  const names = Object.keys(files).sort((a, b) => Number(NUMBERED.exec(a)?.[2]) - Number(NUMBERED.exec(b)?.[2]));
  for (const name of names) {
    const m = NUMBERED.exec(name);
    if (!m) continue;
    const t = await decodeTensorFile(files[name]!);
    if (!t.ok) return err(`check data: ${t.error}`);
    byKind[m[1]!]!.push(t.value);
  }
  const inputs = match(
    'input',
    byKind['input']!,
    feedInputs(model).map((i) => i.name),
  );
  if (!inputs.ok) return inputs;
  const outputs = match(
    'output',
    byKind['output']!,
    model.graph.outputs.map((o) => o.name),
  );
  if (!outputs.ok) return outputs;
  return ok({ inputs: inputs.value, outputs: outputs.value });
}

/** The shapes of the check data's inputs, by input name: what fixes dimensions in resolveInputs. */
export const checkShapes = (data: CheckData | undefined): Map<string, readonly number[]> =>
  new Map([...(data?.inputs ?? new Map<string, Tensor>())].map(([name, t]) => [name, t.dims]));
