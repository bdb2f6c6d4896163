/**
 * What the numeric checks of optimize and convert:fp16 run on, for any model: the input fields of the `model`
 * section (they enter the stage's key) and the check data's files (keyed by content, like the model itself).
 */
import { checkDataFiles, readCheckData, type InputsConfig } from '../onnx/inputs/index.js';
import type { Model } from '../onnx/ir.js';
import { ok, type Result } from '../pipeline/result.js';
import type { StageContext, UserFiles } from '../pipeline/stage.js';
import type { FeedSource } from '../onnx/inputs/index.js';
import { inputsConfig, sourceSection } from './config.js';

const PREFIX = 'check_data/';

type Root = Readonly<Record<string, unknown>>;

/** A stage's config slice with the input fields added: a new dim or value changes what the check proves. */
export const withInputs =
  <C extends object>(read: (root: Root) => C) =>
  (root: Root): C & { inputs: InputsConfig } => ({ ...read(root), inputs: inputsConfig(root) });

/** The check data's files as user files of the stage (`check_data/input_0.pb` …), none without check data. */
export async function checkFiles(root: Root): Promise<Result<UserFiles, string>> {
  const dir = sourceSection(root).check_data;
  if (dir === undefined) return ok({});
  const files = await checkDataFiles(dir);
  if (!files.ok) return files;
  return ok(Object.fromEntries(Object.entries(files.value).map(([name, path]) => [`${PREFIX}${name}`, path])));
}

/** The feed source of a stage's check: its config's input fields and the check data among its inputs. */
export async function checkSource(
  ctx: StageContext<{ inputs?: InputsConfig }>,
  model: Model,
): Promise<Result<FeedSource, string>> {
  const files = Object.fromEntries(
    Object.entries(ctx.inputs)
      .filter((e): e is [string, string] => e[0].startsWith(PREFIX) && e[1] !== undefined)
      .map(([label, path]) => [label.slice(PREFIX.length), path]),
  );
  if (Object.keys(files).length === 0) return ok({ ...(ctx.config.inputs ? { inputs: ctx.config.inputs } : {}) });
  const data = await readCheckData(files, model);
  return data.ok ? ok({ ...(ctx.config.inputs ? { inputs: ctx.config.inputs } : {}), checkData: data.value }) : data;
}
