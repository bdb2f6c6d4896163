/**
 * What the numeric checks of optimize and convert:fp16 run on, for any model: the input fields of the `model`
 * section (they enter the stage's key) and the check data's files (keyed by content, like the model itself).
 */
import { checkDataFiles, readCheckData, type InputsConfig } from '../onnx/inputs/index.js';
import type { Model } from '../onnx/ir.js';
import { ok, type Result } from '../pipeline/result.js';
import type { FileGroup } from '../pipeline/stage.js';
import type { FeedSource } from '../onnx/inputs/index.js';
import { inputsConfig, sourceSection } from './config.js';

type Root = Readonly<Record<string, unknown>>;

/** The check data as a stage that names it in `files` sees it: one group, file name (`input_0.pb`) → path. */
export type CheckFiles = { check_data: FileGroup };

/** A stage's config slice with the input fields added: a new dim or value changes what the check proves. */
export const withInputs =
  <C extends object>(read: (root: Root) => C) =>
  (root: Root): C & { inputs: InputsConfig } => ({ ...read(root), inputs: inputsConfig(root) });

/**
 * The check data's files as user files of the stage, in their group (keyed as `check_data/input_0.pb` …); the
 * group is empty without check data.
 */
export async function checkFiles(root: Root): Promise<Result<CheckFiles, string>> {
  const dir = sourceSection(root).check_data;
  if (dir === undefined) return ok({ check_data: {} });
  const files = await checkDataFiles(dir);
  return files.ok ? ok({ check_data: files.value }) : files;
}

/** The feed source of a stage's check: its config's input fields and its check data. */
export async function checkSource(
  ctx: { config: { inputs?: InputsConfig }; inputs: CheckFiles },
  model: Model,
): Promise<Result<FeedSource, string>> {
  const files = ctx.inputs.check_data;
  if (Object.keys(files).length === 0) return ok({ ...(ctx.config.inputs ? { inputs: ctx.config.inputs } : {}) });
  const data = await readCheckData(files, model);
  return data.ok ? ok({ ...(ctx.config.inputs ? { inputs: ctx.config.inputs } : {}), checkData: data.value }) : data;
}
