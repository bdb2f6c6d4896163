/**
 * The trtexec command lines: the build, and the shapes a built engine runs at. Every option is one
 * `--name=value` item (trtexec splits only on `=`), no flag that the found version removed or does not have
 * yet, and shape flags for exactly the inputs the graph leaves symbolic, each input once per flag, the batch
 * from trt.batch and the other dimensions at their resolved values (model.dims, model.inputs). The same
 * builder writes the build and the "would have run" line of a skipped build.
 */
import { err, ok, type Result } from '../pipeline/result.js';
import type { TrtInput, TrtInputs } from './model-input.js';
import type { TrtVersion } from './parse-log.js';
import type { Precision } from '../onnx/precision.js';

export interface BuildSettings {
  workspace_mib: number;
  builder_optimization_level: number;
  batch: { min: number; opt: number; max: number };
  bf16: boolean;
  strongly_typed: boolean;
}

export interface BuildRequest {
  version: TrtVersion;
  precision: Precision;
  settings: BuildSettings;
  onnx: string;
  engine: string;
  timingCache: string;
  /** The model's inputs; undefined for a line written before the model is read (shapes as placeholders). */
  inputs: TrtInputs | undefined;
}

/** One input's shape at a batch size. */
export const trtShapeAt = (input: TrtInput, batch: number): number[] =>
  input.dims.map((d) => (d === 'batch' ? batch : d));

/** A name with a separator in it is wrapped in single quotes, which trtexec strips. */
const quoteName = (name: string): string => (/^[A-Za-z0-9_./-]+$/.test(name) ? name : `'${name}'`);

/** `a:1x3x224x224,b:2x1x64` for every input whose shape trtexec must be told; empty when none. */
export function shapeSpec(inputs: TrtInputs, batch: number): string {
  return inputs.inputs
    .filter((i) => i.shaped)
    .map((i) => `${quoteName(i.name)}:${trtShapeAt(i, batch).join('x')}`)
    .join(',');
}

/** `--minShapes/--optShapes/--maxShapes` for the batch profile, or nothing for a graph without symbolic dimensions. */
export function profileFlags(inputs: TrtInputs | undefined, batch: BuildSettings['batch']): Result<string[], string> {
  const { min, opt, max } = batch;
  if (!(min <= opt && opt <= max))
    return err(`trt.batch must satisfy min <= opt <= max, got min ${min}, opt ${opt}, max ${max}`);
  if (!inputs)
    return ok([
      `--minShapes=<each dynamic input at batch ${min}>`,
      `--optShapes=<… batch ${opt}>`,
      `--maxShapes=<… batch ${max}>`,
    ]);
  if (!inputs.inputs.some((i) => i.shaped)) return ok([]);
  return ok([
    `--minShapes=${shapeSpec(inputs, min)}`,
    `--optShapes=${shapeSpec(inputs, opt)}`,
    `--maxShapes=${shapeSpec(inputs, max)}`,
  ]);
}

function precisionFlags(r: Pick<BuildRequest, 'version' | 'precision' | 'settings'>): Result<string[], string> {
  const { major } = r.version;
  const v = `${r.version.major}.${r.version.minor}.${r.version.patch}`;
  const { bf16, strongly_typed: typed } = r.settings;
  if (r.precision === 'fp32') return ok([]);
  if ((bf16 || typed) && major < 10) {
    const field = bf16 ? 'bf16' : 'strongly_typed';
    return err(
      `trt.${field} needs TensorRT 10 or newer, and the trtexec found is ${v}; ` +
        'turn it off or use a TensorRT 10 trtexec or image',
    );
  }
  if (typed) {
    if (bf16) {
      return err(
        'trt.bf16 and trt.strongly_typed exclude each other: ' +
          'a strongly typed build takes its precisions from the ONNX; turn one off',
      );
    }
    return ok(['--stronglyTyped']);
  }
  if (major >= 11) {
    return err(
      `TensorRT ${v} has no --fp16 flag (weak typing was removed in 11.x); ` +
        'set trt.strongly_typed: true to build the FP16 ONNX as typed',
    );
  }
  return ok(bf16 ? ['--fp16', '--bf16'] : ['--fp16']);
}

export function buildArgs(r: BuildRequest): Result<string[], string> {
  const precision = precisionFlags(r);
  if (!precision.ok) return precision;
  const shapes = profileFlags(r.inputs, r.settings.batch);
  if (!shapes.ok) return shapes;
  return ok([
    `--onnx=${r.onnx}`,
    `--saveEngine=${r.engine}`,
    ...precision.value,
    ...shapes.value,
    // No unit: 8.6 reads MiB, 10.0 multiplies by a broken unit and 10.1+ reads the last character as the unit.
    `--memPoolSize=workspace:${r.settings.workspace_mib}`,
    `--builderOptimizationLevel=${r.settings.builder_optimization_level}`,
    `--timingCacheFile=${r.timingCache}`,
    '--skipInference',
  ]);
}
