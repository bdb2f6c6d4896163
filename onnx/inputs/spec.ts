/**
 * What every graph input of a model is fed with, resolved before anything runs: each dimension is a fixed
 * number or the batch, and each input says how its values are made. A model exported with symbolic or unnamed
 * dimensions (`N`, `p2o.DynamicDimension.1`, `?`) cannot be run, built or measured until each has a value, and
 * guessing 1 silently measures a different model, so a dimension left without one is an error that says how
 * to set it.
 */
import { DType, type Dim, type Model } from '../ir.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { didYouMean } from '../../pipeline/cli/suggest.js';
import { dtypeName } from '../tensor.js';

/** The fields of the `model` config section this module reads. */
export interface InputsConfig {
  /** Values of named dimensions (`--dim NAME=VALUE`). */
  dims?: Readonly<Record<string, number>>;
  /** The named dimension that batch sizes vary; by default the leading dimension all batched inputs share. */
  batch_dim?: string;
  inputs?: Readonly<Record<string, InputConfig>>;
}

export interface InputConfig {
  /** The whole shape, for dimensions that have no name. */
  shape?: readonly number[];
  /** Every element this value (broadcast). */
  value?: number;
  /** Elements drawn uniformly from [lo, hi] (integers for integer inputs). */
  range?: readonly [number, number];
}

/** How an input's values are made: seeded standard normals, one value, or seeded uniforms in a range. */
export type Fill = { kind: 'normal' } | { kind: 'value'; value: number } | { kind: 'range'; lo: number; hi: number };

export interface InputSpec {
  name: string;
  dtype: DType;
  /** A fixed size, or `'batch'` where the batch dimension goes. */
  dims: ReadonlyArray<number | 'batch'>;
  fill: Fill;
  /** Position among the graph inputs that are not initializers (check data matches by it when unnamed). */
  index: number;
}

export interface ModelInputs {
  inputs: readonly InputSpec[];
  /** The batch dimension's name; undefined when every dimension is fixed (the batch cannot vary). */
  batchDim?: string;
}

/** Element types an input can be fed with; the others (strings, complex) are refused by name. */
const FLOATS: ReadonlySet<DType> = new Set([DType.FLOAT, DType.FLOAT16, DType.DOUBLE]);
const INTEGERS: ReadonlySet<DType> = new Set([DType.INT64, DType.INT32, DType.INT8, DType.UINT8, DType.BOOL]);

/** No input of a model we feed holds more elements: 2^28 float32 is 1 GiB, beyond any sane benchmark feed. */
export const MAX_ELEMENTS = 2 ** 28;

const showDims = (dims: readonly Dim[]): string =>
  `[${dims.map((d) => (d === null || d === '' ? '?' : d)).join(', ')}]`;

/** The graph inputs a caller feeds: initializers listed as inputs (older exporters do that) are not. */
export function feedInputs(model: Model): Model['graph']['inputs'] {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs.filter((i) => !inits.has(i.name));
}

/** The leading symbolic dimension every input with a symbolic leading dimension shares, if there is one. */
function sharedLeadingDim(model: Model, bound: ReadonlyMap<string, number>): string | undefined {
  const leading = new Set<string>();
  for (const input of feedInputs(model)) {
    const first = input.type?.shape?.[0];
    if (first === undefined || typeof first === 'number') continue;
    if (first === null || first === '') return undefined;
    if (!bound.has(first)) leading.add(first);
  }
  return leading.size === 1 ? [...leading][0] : undefined;
}

/** A `model.dims` name (`--dim`) that no input has: a typo would otherwise change keys and fix nothing. */
function unknownDim(model: Model, cfg: InputsConfig): string | undefined {
  const named = new Set(feedInputs(model).flatMap((i) => (i.type?.shape ?? []).filter((d) => typeof d === 'string')));
  const name = Object.keys(cfg.dims ?? {}).find((d) => !named.has(d));
  if (name === undefined) return undefined;
  const list = named.size > 0 ? `its named dimensions: ${[...named].join(', ')}` : 'it has no named dimension';
  return (
    `dimension '${name}' (--dim ${name}=… or model.dims) names no dimension of the model's inputs` +
    `${didYouMean(name, named)}; ${list}`
  );
}

/** Named dimensions the config fixes: `model.dims`, and named positions of `model.inputs.X.shape`. */
function configBindings(model: Model, cfg: InputsConfig): Result<Map<string, number>, string> {
  const bound = new Map(Object.entries(cfg.dims ?? {}));
  for (const input of feedInputs(model)) {
    const shape = cfg.inputs?.[input.name]?.shape;
    const dims = input.type?.shape;
    if (!shape || !dims) continue;
    if (shape.length !== dims.length) {
      return err(
        `model.inputs.${input.name}.shape has ${shape.length} dimensions but input '${input.name}' has ` +
          `${dims.length} ${showDims(dims)}`,
      );
    }
    for (const [k, d] of dims.entries()) {
      const v = shape[k]!;
      if (typeof d === 'number' && d > 0 && d !== v) {
        return err(`model.inputs.${input.name}.shape[${k}] is ${v} but the model fixes that dimension at ${d}`);
      }
      if (typeof d !== 'string' || d === '') continue;
      const was = bound.get(d);
      if (was !== undefined && was !== v) {
        return err(
          `dimension '${d}' is given two values, ${was} and ${v} (model.dims and ` +
            `model.inputs.${input.name}.shape)`,
        );
      }
      bound.set(d, v);
    }
  }
  return ok(bound);
}

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
  const unknown = unknownDim(model, cfg);
  if (unknown) return err(unknown);
  const bindings = configBindings(model, cfg);
  if (!bindings.ok) return bindings;
  const bound = bindings.value;
  const batchDim = cfg.batch_dim ?? sharedLeadingDim(model, bound);
  const inputs = feedInputs(model);
  for (const name of Object.keys(cfg.inputs ?? {})) {
    if (!inputs.some((i) => i.name === name)) {
      return err(
        `model.inputs.${name}: the model has no input of that name; its inputs: ` +
          `${inputs.map((i) => i.name).join(', ')}`,
      );
    }
  }
  if (cfg.batch_dim !== undefined) {
    if (bound.has(cfg.batch_dim)) {
      return err(`model.batch_dim '${cfg.batch_dim}' is also given a fixed value (model.dims or model.inputs.*.shape)`);
    }
    if (!inputs.some((i) => i.type?.shape?.includes(cfg.batch_dim!))) {
      return err(`model.batch_dim '${cfg.batch_dim}' names no dimension of the model's inputs`);
    }
  }
  const fromData = new Map<string, number>();
  const specs: InputSpec[] = [];
  for (const [index, input] of inputs.entries()) {
    const t = input.type;
    if (!t) return err(`input '${input.name}' is not a tensor (a sequence, map or optional input cannot be fed)`);
    if (!t.shape) {
      return err(`input '${input.name}' has no shape (unknown rank): set model.inputs.${input.name}.shape: [...]`);
    }
    const fill = fillOf(input.name, t.dtype, cfg.inputs?.[input.name]);
    if (!fill.ok) return fill;
    const data = fixed.get(input.name);
    if (data && data.length !== t.shape.length) {
      return err(
        `check data for input '${input.name}' has shape [${data.join(', ')}] but the input has ` +
          `${t.shape.length} dimensions ${showDims(t.shape)}`,
      );
    }
    const given = cfg.inputs?.[input.name]?.shape;
    const dims: Array<number | 'batch'> = [];
    for (const [k, d] of t.shape.entries()) {
      const dim = resolveDim(input.name, t.shape, k, d, { given, data, bound, fromData, batchDim });
      if (!dim.ok) return dim;
      dims.push(dim.value);
    }
    specs.push({ name: input.name, dtype: t.dtype, dims, fill: fill.value, index });
  }
  const batched = batchDim !== undefined && specs.some((s) => s.dims.includes('batch'));
  return ok({ inputs: specs, batchDim: batched ? batchDim : undefined });
}

interface DimSources {
  given: readonly number[] | undefined;
  data: readonly number[] | undefined;
  bound: ReadonlyMap<string, number>;
  /** Named dimensions check data has fixed so far (every input must agree). */
  fromData: Map<string, number>;
  batchDim: string | undefined;
}

function resolveDim(
  name: string,
  shape: readonly Dim[],
  k: number,
  d: Dim,
  s: DimSources,
): Result<number | 'batch', string> {
  if (typeof d === 'number' && d > 0) {
    if (s.data && s.data[k] !== d) {
      return err(`check data for input '${name}' has ${s.data[k]} at dimension ${k}, where the model fixes ${d}`);
    }
    return ok(d);
  }
  const named = typeof d === 'string' && d !== '' ? d : undefined;
  const configured = s.given?.[k] ?? (named !== undefined ? s.bound.get(named) : undefined);
  if (configured !== undefined) {
    if (s.data && s.data[k] !== configured) {
      return err(
        `check data for input '${name}' has ${s.data[k]} at dimension ${k}${named ? ` ('${named}')` : ''}, ` +
          `where the config gives ${configured}; make them agree`,
      );
    }
    return ok(configured);
  }
  if (named !== undefined && named === s.batchDim) return ok('batch');
  if (s.data) {
    const v = s.data[k]!;
    if (named !== undefined) {
      const was = s.fromData.get(named);
      if (was !== undefined && was !== v) {
        return err(`check data gives dimension '${named}' two values, ${was} and ${v} (input '${name}')`);
      }
      s.fromData.set(named, v);
    }
    return ok(v);
  }
  if (named !== undefined && s.fromData.has(named)) return ok(s.fromData.get(named)!);
  const where = `input '${name}' ${showDims(shape)}: dimension ${k}`;
  if (named !== undefined) {
    return err(
      `${where} ('${named}') has no value: set model.dims: {${JSON.stringify(named)}: N} in the config, or ` +
        `pass --dim ${named}=N`,
    );
  }
  const hint = shape.map((x, j) => (typeof x === 'number' && x > 0 ? String(x) : j === k ? 'N' : '?')).join(', ');
  return err(
    `${where} has no name and no value: set model.inputs.${JSON.stringify(name)}.shape: [${hint}] in the ` +
      `config (every dimension, as numbers)`,
  );
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
