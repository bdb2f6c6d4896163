/**
 * How each dimension of a model's inputs gets its value: the size the model fixes, the config's (`model.dims`,
 * `model.inputs.X.shape`), the check data's, or the batch. What the config names is checked against the model
 * first, so a typo is an error rather than a value that changes cache keys and fixes nothing.
 */
import type { Dim, Model } from '../ir.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { didYouMean } from '../../pipeline/cli/suggest.js';
import type { InputsConfig } from './spec.js';

export const showDims = (dims: readonly Dim[]): string =>
  `[${dims.map((d) => (d === null || d === '' ? '?' : d)).join(', ')}]`;

/** The graph inputs a caller feeds: initializers listed as inputs (older exporters do that) are not. */
export function feedInputs(model: Model): Model['graph']['inputs'] {
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  return model.graph.inputs.filter((i) => !inits.has(i.name));
}

/** What fixes named dimensions before any input is resolved. */
export interface Bindings {
  /** Named dimensions the config gives a value (`model.dims`, named positions of `model.inputs.X.shape`). */
  bound: ReadonlyMap<string, number>;
  /** The dimension batch sizes vary: `model.batch_dim`, else the leading one every input shares, if any. */
  batchDim: string | undefined;
}

/** The config's dimension values and the batch dimension, every name in the config checked against the model. */
export function bindings(model: Model, cfg: InputsConfig): Result<Bindings, string> {
  const unknown = unknownDim(model, cfg);
  if (unknown) return err(unknown);
  const bound = configBindings(model, cfg);
  if (!bound.ok) return bound;
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
    if (bound.value.has(cfg.batch_dim)) {
      return err(`model.batch_dim '${cfg.batch_dim}' is also given a fixed value (model.dims or model.inputs.*.shape)`);
    }
    if (!inputs.some((i) => i.type?.shape?.includes(cfg.batch_dim!))) {
      return err(`model.batch_dim '${cfg.batch_dim}' names no dimension of the model's inputs`);
    }
  }
  return ok({ bound: bound.value, batchDim: cfg.batch_dim ?? sharedLeadingDim(model, bound.value) });
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

/** Where one input's dimensions can take their values from, beside the sizes the model fixes. */
export interface DimSources {
  /** `model.inputs.X.shape`: the whole shape, for dimensions that have no name. */
  given: readonly number[] | undefined;
  /** The check data's shape for this input, when there is check data. */
  data: readonly number[] | undefined;
  /** Named dimensions the config gives a value. */
  bound: ReadonlyMap<string, number>;
  /** Named dimensions check data has fixed so far (every input must agree). */
  fromData: Map<string, number>;
  /** The dimension batch sizes vary, if any: it stays `'batch'`. */
  batchDim: string | undefined;
}

/** Dimension `k` (`d`) of input `name`: a size, or `'batch'`; else an error that says how to give it one. */
export function resolveDim(
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
  if (s.data) return dataDim(name, s.data[k]!, named, s.fromData);
  if (named !== undefined && s.fromData.has(named)) return ok(s.fromData.get(named)!);
  return err(noValue(name, shape, k, named));
}

/** The check data's size for a dimension; a named one must have the same size in every input. */
function dataDim(
  name: string,
  v: number,
  named: string | undefined,
  fromData: Map<string, number>,
): Result<number, string> {
  if (named === undefined) return ok(v);
  const was = fromData.get(named);
  if (was !== undefined && was !== v) {
    return err(`check data gives dimension '${named}' two values, ${was} and ${v} (input '${name}')`);
  }
  fromData.set(named, v);
  return ok(v);
}

/** What to set for a dimension nothing gives a value: `--dim` for a named one, the whole shape otherwise. */
function noValue(name: string, shape: readonly Dim[], k: number, named: string | undefined): string {
  const where = `input '${name}' ${showDims(shape)}: dimension ${k}`;
  if (named !== undefined) {
    return (
      `${where} ('${named}') has no value: set model.dims: {${JSON.stringify(named)}: N} in the config, or ` +
      `pass --dim ${named}=N`
    );
  }
  const hint = shape.map((x, j) => (typeof x === 'number' && x > 0 ? String(x) : j === k ? 'N' : '?')).join(', ');
  return (
    `${where} has no name and no value: set model.inputs.${JSON.stringify(name)}.shape: [${hint}] in the ` +
    `config (every dimension, as numbers)`
  );
}
