/**
 * Before any stage runs: the model a config names is read, decoded, its external data locations and names
 * checked, and every input dimension given a value. Each problem is one line (exit 2) that names the file and
 * says what to set; nothing is read outside the model's folder and the check data's.
 */
import { dirname, resolve } from 'node:path';
import { externalRefs, externalFiles } from '../../onnx/external-data.js';
import {
  checkDataFiles,
  checkShapes,
  checkSize,
  readCheckData,
  resolveInputs,
  type CheckData,
} from '../../onnx/inputs/index.js';
import type { Model } from '../../onnx/ir.js';
import type { RunConfig } from '../../pipeline/config/config.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { inputsConfig, sourceSection } from '../../source/config.js';
import { decodeModelFile } from '../../source/model-file.js';

/** A name that would break a one-line message or could be taken for a path. */
function unsafeNames(model: Model): string | undefined {
  const g = model.graph;
  const named: Array<[string, string]> = [
    ...g.inputs.map((v) => ['graph input', v.name] as [string, string]),
    ...g.outputs.map((v) => ['graph output', v.name] as [string, string]),
    ...g.initializers.map((t) => ['initializer', t.name] as [string, string]),
    ...g.nodes.flatMap((n) => [['node', n.name], ...n.outputs.map((o) => ['value', o])] as Array<[string, string]>),
  ];
  for (const [what, name] of named) {
    if (/[\0-\x1f\x7f]/.test(name)) {
      return `${what} ${JSON.stringify(name)} contains a control character (a newline?); rename it in the exporter`;
    }
  }
  for (const v of [...g.inputs, ...g.outputs]) {
    if (v.name.split(/[\\/]/).includes('..')) {
      return (
        `graph ${g.inputs.includes(v) ? 'input' : 'output'} ${JSON.stringify(v.name)} contains '..' as a path ` +
        `segment; rename it in the exporter`
      );
    }
  }
  return undefined;
}

/** The model at `path`, decoded and checked: everything a stage would trip on later, said now. */
export async function inspectModel(path: string): Promise<Result<Model, string>> {
  const decoded = await decodeModelFile(path);
  if (!decoded.ok) {
    const e = decoded.error;
    return err('read' in e ? e.read : `${path}: ${e.decode}; give an .onnx file as an exporter wrote it`);
  }
  const bad = unsafeNames(decoded.value);
  if (bad) return err(`${path}: ${bad}`);
  const refs = externalRefs(decoded.value);
  if (!refs.ok) return err(`${path}: ${refs.error}`);
  const files = await externalFiles(refs.value, dirname(path));
  return files.ok ? decoded : err(`${path}: ${files.error}`);
}

async function loadCheckData(dir: string, model: Model | undefined): Promise<Result<CheckData | undefined, string>> {
  const files = await checkDataFiles(dir);
  if (!files.ok) return files;
  return model ? readCheckData(files.value, model) : ok(undefined);
}

export async function preflight(config: RunConfig, configFile: string): Promise<Result<RunConfig, string>> {
  const m = sourceSection(config);
  const here = dirname(configFile);
  const check_data = m.check_data !== undefined ? resolve(here, m.check_data) : undefined;
  if (m.path === undefined) {
    const data = check_data ? await loadCheckData(check_data, undefined) : ok(undefined);
    if (!data.ok) return err(`${configFile}: ${data.error}`);
    return ok(check_data ? { ...config, model: { ...(config['model'] as object), check_data } } : config);
  }
  const path = resolve(here, m.path);
  const model = await inspectModel(path);
  if (!model.ok) return err(`model ${model.error}`);
  const data = check_data ? await loadCheckData(check_data, model.value) : ok(undefined);
  if (!data.ok) return err(`${configFile}: ${data.error}`);
  const spec = resolveInputs(model.value, inputsConfig(config), checkShapes(data.value));
  if (!spec.ok) return err(`model ${path}: ${spec.error}`);
  const size = checkSize(spec.value, 1);
  if (!size.ok) return err(`model ${path}: ${size.error}`);
  return ok({ ...config, model: { ...(config['model'] as object), path, ...(check_data ? { check_data } : {}) } });
}
