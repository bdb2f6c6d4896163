/**
 * Shapes and data for any model's inputs, the one API every stage that runs a model uses:
 *   resolveInputs(model, cfg, shapes)  every dimension fixed or the batch; errors say how to set the rest
 *   makeFeeds(spec, batch, seed)        seeded feeds at a batch size (benchmark, TensorRT shapes)
 *   readCheckData(files, model)         real inputs (and expected outputs) in ONNX's test-data layout
 *   checkFeeds(model, cfg, options)     what a numeric check runs on: check data, else seeded feeds
 */
import type { Model } from '../ir.js';
import { err, ok, type Result } from '../../pipeline/result.js';
import { checkShapes, type CheckData } from './check-data.js';
import { batchOf, makeFeeds, tensorFeed, type Feeds } from './feeds.js';
import { resolveInputs, type InputsConfig, type ModelInputs } from './spec.js';

export { checkDataFiles, checkShapes, readCheckData, type CheckData } from './check-data.js';
export { batchOf, makeFeeds, tensorFeed, type Feeds } from './feeds.js';
export { feedInputs } from './dims.js';
export { checkSize, MAX_ELEMENTS, resolveInputs, shapeAt } from './spec.js';
export type { Fill, InputConfig, InputsConfig, InputSpec, ModelInputs } from './spec.js';

/** Where a numeric check's inputs come from: the model's input settings and, when given, real check data. */
export interface FeedSource {
  /** The config's `model` section fields on inputs (dims, batch_dim, inputs). */
  inputs?: InputsConfig;
  /** The user's check data (`model.check_data`), read. */
  checkData?: CheckData;
}

/** What a numeric check's feeds are made with. */
export interface CheckOptions {
  /** The seed of the seeded values: the same seed, the same feeds. */
  seed: number;
  /** The batch to feed when there is no check data to take it from. */
  batch: number;
  /** Real inputs, fed where they exist. */
  checkData?: CheckData;
}

/** A numeric check's feeds, and what they were resolved from. */
export interface CheckFeeds {
  /** Every input resolved. */
  spec: ModelInputs;
  /** The batch the check ran at: the check data's, else the caller's fallback (1 when the batch is fixed). */
  batch: number;
  /** The tensors, by input name. */
  feeds: Feeds;
  /** True when the feeds came (at least in part) from check data. */
  fromCheckData: boolean;
}

/**
 * The feeds of a numeric check: the check data's tensors where it has them, seeded values for the other
 * inputs at the check data's batch (or `batch` without check data).
 */
export function checkFeeds(model: Model, cfg: InputsConfig, options: CheckOptions): Result<CheckFeeds, string> {
  const shapes = checkShapes(options.checkData);
  const spec = resolveInputs(model, cfg, shapes);
  if (!spec.ok) return spec;
  const batch = batchOf(spec.value, shapes, spec.value.batchDim ? options.batch : 1);
  const feeds = makeFeeds(spec.value, batch, options.seed);
  if (!feeds.ok) return feeds;
  for (const [name, t] of options.checkData?.inputs ?? []) {
    const feed = tensorFeed(t);
    if (!feed.ok) return err(`check data for input '${name}': ${feed.error}`);
    feeds.value[name] = feed.value;
  }
  return ok({ spec: spec.value, batch, feeds: feeds.value, fromCheckData: (options.checkData?.inputs.size ?? 0) > 0 });
}
