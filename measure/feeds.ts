/**
 * The benchmark's inputs, for any model: every graph input resolved by onnx/inputs (model.dims,
 * model.inputs.X, the batch dimension), per batch size one feed for each, the same bytes for every engine.
 * With check data (model.check_data), the batch it was recorded at is fed the real data, so correctness at that
 * batch is judged on inputs that mean something; other batch sizes get seeded values.
 */
import {
  batchOf,
  checkShapes,
  makeFeeds,
  readCheckData,
  resolveInputs,
  tensorFeed,
  type CheckData,
  type Feeds,
  type InputsConfig,
  type ModelInputs,
} from '../onnx/inputs/index.js';
import type { Model } from '../onnx/ir.js';
import { err, ok, type Result } from '../pipeline/result.js';

/** How bench.json and the report name an input: `x int64 [N, 3, 48, 320]`, N where the batch goes. */
export interface InputSpec {
  name: string;
  dtype: string;
  shape: (number | 'N')[];
}

export interface BenchInputs {
  specs: InputSpec[];
  /** The only batch the graph allows, when no dimension is the batch. */
  fixedBatch?: number;
  /** The batch the check data was recorded at, fed with it. */
  checkBatch?: number;
  feeds(batch: number): Result<Feeds, string>;
}

export async function benchInputs(
  model: Model,
  cfg: InputsConfig,
  seed: number,
  files: Readonly<Record<string, string>>,
): Promise<Result<BenchInputs, string>> {
  const data: Result<CheckData | undefined, string> =
    Object.keys(files).length > 0 ? await readCheckData(files, model) : ok(undefined);
  if (!data.ok) return data;
  const shapes = checkShapes(data.value);
  const spec = resolveInputs(model, cfg, shapes);
  if (!spec.ok) return spec;
  const batched = spec.value.batchDim !== undefined;
  const first = spec.value.inputs[0]?.dims[0];
  const fixedBatch = batched ? undefined : typeof first === 'number' ? first : 1;
  const checkBatch = data.value ? batchOf(spec.value, shapes, fixedBatch ?? 1) : undefined;
  const dtypes = new Map<string, string>();
  const feeds = feedsAt(spec.value, seed, data.value, checkBatch, dtypes);
  // One feed at the smallest batch names every input's element type as onnxruntime takes it.
  const probe = feeds(checkBatch ?? fixedBatch ?? 1);
  if (!probe.ok) return probe;
  return ok({
    specs: spec.value.inputs.map((i) => ({
      name: i.name,
      dtype: dtypes.get(i.name) ?? String(i.dtype),
      shape: i.dims.map((d) => (d === 'batch' ? 'N' : d)),
    })),
    fixedBatch,
    checkBatch,
    feeds,
  });
}

/**
 * The feeds at a batch: seeded, with the check data's tensors at the batch it was recorded at. Each call notes
 * in `dtypes` the element type onnxruntime takes for every input.
 */
function feedsAt(
  spec: ModelInputs,
  seed: number,
  data: CheckData | undefined,
  checkBatch: number | undefined,
  dtypes: Map<string, string>,
): (batch: number) => Result<Feeds, string> {
  return (batch) => {
    const made = makeFeeds(spec, batch, seed);
    if (!made.ok) return made;
    if (batch === checkBatch) {
      for (const [name, t] of data?.inputs ?? []) {
        const feed = tensorFeed(t);
        if (!feed.ok) return err(`check data for input '${name}': ${feed.error}`);
        made.value[name] = feed.value;
      }
    }
    for (const [name, t] of Object.entries(made.value)) dtypes.set(name, t.type);
    return made;
  };
}

export const describeInputs = (specs: readonly InputSpec[]): string =>
  specs.map((s) => `${s.name} ${s.dtype} [${s.shape.join(', ')}]`).join(', ');
