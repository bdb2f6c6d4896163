/**
 * The calibration samples: a folder of ONNX test_data_set_N folders (`quantize.calibration`), each one sample
 * (one run of the model), checked against the model before anything runs: every tensor must name an input
 * the model has, with its element type and a shape the model and the config allow, finite, and inside
 * `model.inputs.X.range` / `value` where the config restricts an integer input. Inputs a set leaves out
 * (a recurrent state) get the check's usual seeded values.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkDataFiles,
  checkFeeds,
  readCheckData,
  type CheckData,
  type InputsConfig,
} from '../../onnx/inputs/index.js';
import type { Sample } from '../../onnx/quantize/index.js';
import { DType, type Model } from '../../onnx/ir.js';
import { dtypeName, tensorValues } from '../../onnx/tensor.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import type { FileGroup } from '../../pipeline/stage.js';

const SET = /^test_data_set_(\d+)$/;

/** The test_data_set_N folders of `dir`, in numeric order; an error when it cannot be read or has none. */
export async function calibrationSets(dir: string): Promise<Result<string[], string>> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return err(`quantize.calibration: ${dir} cannot be read (${code}); give a folder of test_data_set_N folders`);
  }
  const sets = names.filter((n) => SET.test(n)).sort((a, b) => Number(SET.exec(a)?.[1]) - Number(SET.exec(b)?.[1]));
  if (sets.length === 0)
    return err(
      `quantize.calibration: ${dir} holds no test_data_set_N folder; put one sample per folder ` +
        '(test_data_set_0/input_0.pb, …), as ONNX test data is laid out',
    );
  return ok(sets);
}

/** The first `samples` sets' input files, as the stage's `calibration` group: `test_data_set_N/input_K.pb`. */
export async function calibrationFiles(dir: string, samples: number): Promise<Result<FileGroup, string>> {
  const sets = await calibrationSets(dir);
  if (!sets.ok) return sets;
  const files: Record<string, string> = {};
  for (const set of sets.value.slice(0, samples)) {
    const listed = await checkDataFiles(join(dir, set));
    if (!listed.ok) return err(`quantize.calibration: ${set}: ${listed.error.replace(/^model\.check_data: /, '')}`);
    for (const [name, path] of Object.entries(listed.value))
      if (name.startsWith('input_')) files[`${set}/${name}`] = path;
  }
  return ok(files);
}

/** The stage's calibration files by set: set name → file name → path. */
export function groupSets(calibration: FileGroup): Map<string, Record<string, string>> {
  const sets = new Map<string, Record<string, string>>();
  for (const [name, path] of Object.entries(calibration)) {
    const [set, file] = name.split('/') as [string, string];
    sets.set(set, { ...(sets.get(set) ?? {}), [file]: path });
  }
  return new Map([...sets].sort((a, b) => Number(SET.exec(a[0])?.[1]) - Number(SET.exec(b[0])?.[1])));
}

/** Why a set's tensors do not fit the model and the config, or undefined. */
function misfit(data: CheckData, model: Model, cfg: InputsConfig): string | undefined {
  const inputs = new Map(model.graph.inputs.map((i) => [i.name, i]));
  for (const [name, t] of data.inputs) {
    if (t.name && !inputs.has(t.name))
      return `tensor '${t.name}' names no input of the model (its inputs: ${[...inputs.keys()].join(', ')})`;
    const want = inputs.get(name)?.type?.dtype;
    if (want !== undefined && want !== t.dtype)
      return `input '${name}' is ${dtypeName(t.dtype)} but the model takes ${dtypeName(want)}`;
    const v = tensorValues(t);
    if (!v.ok) return v.error;
    const values = Array.from(v.value as ArrayLike<number | bigint>, Number);
    if (t.dtype === DType.FLOAT && values.some((x) => !Number.isFinite(x)))
      return `input '${name}' holds NaN or ±Inf; calibration needs finite values`;
    const c = cfg.inputs?.[name];
    const lo = c?.range?.[0] ?? c?.value;
    const hi = c?.range?.[1] ?? c?.value;
    const allowed = c?.range ? `range [${lo}, ${hi}]` : `value ${lo}`;
    if (lo !== undefined && hi !== undefined && values.some((x) => x < lo || x > hi))
      return `input '${name}' holds values outside model.inputs.${name}.${allowed}`;
  }
  return undefined;
}

/** Every set as a sample, or the first one that does not fit (named, with why). */
export async function readSamples(
  sets: ReadonlyMap<string, Record<string, string>>,
  model: Model,
  cfg: InputsConfig,
  seed: number,
): Promise<Result<Sample[], string>> {
  const samples: Sample[] = [];
  for (const [set, files] of sets) {
    const where = `quantize.calibration: ${set}`;
    const data = await readCheckData(files, model);
    if (!data.ok) return err(`${where}: ${data.error.replace(/^check data: /, '')}`);
    const bad = misfit(data.value, model, cfg);
    if (bad) return err(`${where}: ${bad}`);
    const feeds = checkFeeds(model, cfg, { seed, batch: 1, checkData: data.value });
    if (!feeds.ok) return err(`${where}: ${feeds.error.replace(/check data/g, 'calibration data')}`);
    samples.push(feeds.value.feeds);
  }
  return ok(samples);
}
