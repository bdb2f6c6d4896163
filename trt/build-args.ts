/**
 * The trtexec build command line. Every option is one `--name=value` item (trtexec splits only on `=`), no
 * flag that the found version removed or does not have yet, and shape flags only for a dynamic batch
 * (a static graph given shapes fails the build).
 */
import { err, ok, type Result } from '../pipeline/result.js';
import type { ModelInput } from './model-input.js';
import type { TrtVersion } from './parse-log.js';

export type Precision = 'fp32' | 'fp16';

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
  input: ModelInput;
}

/** A name with a separator in it is wrapped in single quotes, which trtexec strips. */
const quoteName = (name: string): string => (/^[A-Za-z0-9_./-]+$/.test(name) ? name : `'${name}'`);

/** `name:BxCxHxW` for one batch size; the other dimensions are the graph's own. */
export function shapeSpec(input: ModelInput, batch: number): string {
  return `${quoteName(input.name)}:${[batch, ...input.rest].join('x')}`;
}

function precisionFlags(r: BuildRequest): Result<string[], string> {
  const { major } = r.version;
  const v = `${r.version.major}.${r.version.minor}.${r.version.patch}`;
  if (r.precision === 'fp32') return ok([]);
  if ((r.settings.bf16 || r.settings.strongly_typed) && major < 10) {
    return err(`trt.${r.settings.bf16 ? 'bf16' : 'strongly_typed'} needs TensorRT 10 or newer, and the trtexec found is ${v}; turn it off or use a TensorRT 10 trtexec or image`);
  }
  if (r.settings.strongly_typed) {
    if (r.settings.bf16) return err('trt.bf16 and trt.strongly_typed exclude each other: a strongly typed build takes its precisions from the ONNX; turn one off');
    return ok(['--stronglyTyped']);
  }
  if (major >= 11) return err(`TensorRT ${v} has no --fp16 flag (weak typing was removed in 11.x); set trt.strongly_typed: true to build the FP16 ONNX as typed`);
  return ok(r.settings.bf16 ? ['--fp16', '--bf16'] : ['--fp16']);
}

export function buildArgs(r: BuildRequest): Result<string[], string> {
  const precision = precisionFlags(r);
  if (!precision.ok) return precision;
  const shapes: string[] = [];
  if (r.input.dynamicBatch) {
    const { min, opt, max } = r.settings.batch;
    if (!(min <= opt && opt <= max)) return err(`trt.batch must satisfy min <= opt <= max, got min ${min}, opt ${opt}, max ${max}`);
    shapes.push(`--minShapes=${shapeSpec(r.input, min)}`, `--optShapes=${shapeSpec(r.input, opt)}`, `--maxShapes=${shapeSpec(r.input, max)}`);
  }
  return ok([
    `--onnx=${r.onnx}`,
    `--saveEngine=${r.engine}`,
    ...precision.value,
    ...shapes,
    // No unit: 8.6 reads MiB, 10.0 multiplies by a broken unit and 10.1+ reads the last character as the unit.
    `--memPoolSize=workspace:${r.settings.workspace_mib}`,
    `--builderOptimizationLevel=${r.settings.builder_optimization_level}`,
    `--timingCacheFile=${r.timingCache}`,
    '--skipInference',
  ]);
}
