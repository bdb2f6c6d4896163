/**
 * What every graph input of a model is fed with, resolved before anything runs: each dimension is a fixed
 * number or the batch, and each input says how its values are made. A model exported with symbolic or unnamed
 * dimensions (`N`, `p2o.DynamicDimension.1`, `?`) cannot be run, built or measured until each has a value, and
 * guessing 1 silently measures a different model, so a dimension left without one is an error that says how
 * to set it.
 */
import { DType, type Model, type ValueInfo } from '../ir.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { dtypeName } from '../tensor.js';
import { bindings, feedInputs, resolveDim, showDims, type DimSources } from './dims.js';

/** The fields of the `model` config section this module reads. */
export interface InputsConfig {
  /** Values of named dimensions (`--dim NAME=VALUE`). */
  dims?: Readonly<Record<string, number>>;
  /** The named dimension that batch sizes vary; by default the leading dimension all batched inputs share. */
  batch_dim?: string;
  /** Settings per graph input, by its name (`model.inputs.X`). */
  inputs?: Readonly<Record<string, InputConfig>>;
}

/** One input's settings: its shape, where its dimensions have no name, and how its values are made. */
export interface InputConfig {
  /** The whole shape, for dimensions that have no name. */
  shape?: readonly number[];
  /** Every element this value (broadcast). */
  value?: number;
  /** Elements drawn uniformly from [lo, hi] (integers for integer inputs). */
  range?: readonly [number, number];
}

/** How an input's values are made: seeded standard normals, one value, or seeded uniforms in a range. */
export type Fill =
  | { kind: 'normal' }
  | {
      kind: 'value';
      /** Every element's value. */
      value: number;
    }
  | {
      kind: 'range';
      /** The least value drawn. */
      lo: number;
      /** The greatest value drawn. */
      hi: number;
    };

/** One graph input, resolved: everything needed to make its feed at any batch size. */
export interface InputSpec {
  /** The graph input's name. */
  name: string;
  /** Its element type, as the model declares it. */
  dtype: DType;
  /** A fixed size, or `'batch'` where the batch dimension goes. */
  dims: ReadonlyArray<number | 'batch'>;
  /** How its values are made. */
  fill: Fill;
  /** Position among the graph inputs that are not initializers (check data matches by it when unnamed). */
  index: number;
}

/** A model's inputs, every dimension resolved. */
export interface ModelInputs {
  /** Every graph input a caller feeds, in the graph's order. */
  inputs: readonly InputSpec[];
  /** The batch dimension's name; undefined when every dimension is fixed (the batch cannot vary). */
  batchDim?: string;
}

/** Element types an input can be fed with; the others (strings, complex) are refused by name. */
const FLOATS: ReadonlySet<DType> = new Set([DType.FLOAT, DType.FLOAT16, DType.DOUBLE]);
const INTEGERS: ReadonlySet<DType> = new Set([DType.INT64, DType.INT32, DType.INT8, DType.UINT8, DType.BOOL]);

/** No input of a model we feed holds more elements: 2^28 float32 is 1 GiB, beyond any sane benchmark feed. */
export const MAX_ELEMENTS = 2 ** 28;

/** One input's fill, from its config; a non-float input needs to be told what values mean something. */
function fillOf(name: string, dtype: DType, c: InputConfig | undefined): Result<Fill, string> {
  if (!FLOATS.has(dtype) && !INTEGERS.has(dtype)) {
    return err(`input '${name}' is ${dtypeName(dtype)}, which cannot be fed; only numeric and bool inputs can`);
  }
  if (c?.value !== undefined && c.range) return err(`model.inputs.${name}: give either value or range, not both`);
  if (c?.value !== undefined) return ok({ kind: 'value', value: c.value });
  if (c?.range) {
    const [lo, hi] = c.range;
    if (!(lo <= hi)) return err(`model.inputs.${name}.range: [${lo}, ${hi}] is empty; give [lo, hi] with lo ≤ hi`);
    return ok({ kind: 'range', lo, hi });
  }
  if (FLOATS.has(dtype)) return ok({ kind: 'normal' });
  return err(
    `input '${name}' is ${dtypeName(dtype)}: noise means nothing for it; set model.inputs.${name}.value ` +
      `(one value for every element) or model.inputs.${name}.range: [lo, hi]`,
  );
}

/**
 * The inputs of `model` with every dimension resolved from the config, and from `fixed` (shapes of real data,
 * such as check data, by input name): a fixed size, or the batch dimension. Errors say which input, which
 * dimension, and the config field or option that sets it.
 */
export function resolveInputs(
  model: Model,
  cfg: InputsConfig,
  fixed: ReadonlyMap<string, readonly number[]> = new Map(),
): Result<ModelInputs, string> {
  const b = bindings(model, cfg);
  if (!b.ok) return b;
  const { bound, batchDim } = b.value;
  const fromData = new Map<string, number>();
  const specs: InputSpec[] = [];
  for (const [index, input] of feedInputs(model).entries()) {
    const given = cfg.inputs?.[input.name]?.shape;
    const spec = resolveInput(input, index, cfg, { given, data: fixed.get(input.name), bound, fromData, batchDim });
    if (!spec.ok) return spec;
    specs.push(spec.value);
  }
  const batched = batchDim !== undefined && specs.some((s) => s.dims.includes('batch'));
  return ok({ inputs: specs, batchDim: batched ? batchDim : undefined });
}

/** One graph input: a tensor of known rank, its fill from the config, each dimension resolved. */
function resolveInput(input: ValueInfo, index: number, cfg: InputsConfig, s: DimSources): Result<InputSpec, string> {
  const t = input.type;
  if (!t) return err(`input '${input.name}' is not a tensor (a sequence, map or optional input cannot be fed)`);
  if (!t.shape) {
    return err(`input '${input.name}' has no shape (unknown rank): set model.inputs.${input.name}.shape: [...]`);
  }
  const fill = fillOf(input.name, t.dtype, cfg.inputs?.[input.name]);
  if (!fill.ok) return fill;
  if (s.data && s.data.length !== t.shape.length) {
    return err(
      `check data for input '${input.name}' has shape [${s.data.join(', ')}] but the input has ` +
        `${t.shape.length} dimensions ${showDims(t.shape)}`,
    );
  }
  const dims: Array<number | 'batch'> = [];
  for (const [k, d] of t.shape.entries()) {
    const dim = resolveDim(input.name, t.shape, k, d, s);
    if (!dim.ok) return dim;
    dims.push(dim.value);
  }
  return ok({ name: input.name, dtype: t.dtype, dims, fill: fill.value, index });
}

/** The concrete shape of one input at batch size `batch`. */
export const shapeAt = (spec: InputSpec, batch: number): number[] => spec.dims.map((d) => (d === 'batch' ? batch : d));

/** Refuses shapes no machine can feed (a dimension of 2^40), naming the input: before anything is allocated. */
export function checkSize(spec: ModelInputs, batch: number): Result<void, string> {
  for (const input of spec.inputs) {
    const shape = shapeAt(input, batch);
    const n = shape.reduce((a, b) => a * b, 1);
    if (!Number.isSafeInteger(n) || n > MAX_ELEMENTS) {
      return err(
        `input '${input.name}' at shape [${shape.join(', ')}] holds ${n.toExponential(2)} elements, more ` +
          `than the ${MAX_ELEMENTS.toExponential(2)} an input may have; give its dimensions smaller values`,
      );
    }
  }
  return ok(undefined);
}
