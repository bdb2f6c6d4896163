/**
 * The optimize and FP16 proofs on one real model, shared by the corpus test (test/corpus/proof.test.ts) and
 * `make bench-corpus` (bench/corpus.ts): the check's inputs, then optimize (pass list, validator, numeric
 * check with bisection) and FP16 conversion with its tolerance check, each ending optimized/converted,
 * declined with the reason, or failed.
 *
 * Inputs (onnx/inputs): the model's test_data_set_0 under configs/examples/data (bench/make-check-data.ts)
 * where there is one; otherwise seeded values at batch 1, with the dims below where a model needs them.
 */
import { existsSync } from 'node:fs';
import type { Model } from '../onnx/ir.js';
import {
  checkDataFiles,
  checkFeeds,
  readCheckData,
  tensorFeed,
  type CheckData,
  type InputsConfig,
} from '../onnx/inputs/index.js';
import { countNodes } from '../onnx/rewrite/subgraphs.js';
import { encodeModel } from '../onnx/serde.js';
import { validateModel } from '../onnx/validate/index.js';
import { err, ok, type Result } from '../pipeline/result.js';
import { defaults as fp16Defaults } from '../stages/convert-fp16/config.js';
import { convertBodies, nothingConverted, type BodyCheck, type BodyOutcome } from '../stages/convert-fp16/bodies.js';
import { convertFloat16 } from '../stages/convert-fp16/convert.js';
import { defaults as optimizeDefaults } from '../stages/optimize/config.js';
import {
  compareOutputs,
  failingOutput,
  referenceRun,
  runDisabled,
  type Feeds,
  type Outputs,
  withinTolerance,
} from '../onnx/numeric-check.js';
import { optimizeModel } from '../stages/optimize/optimize-model.js';
import { defaultPasses, passesByName } from '../stages/optimize/passes/index.js';
import { fromRoot } from '../test/repo-root.js';

/** What the models without check data need beyond their declared shapes (the `model` config section). */
const silero: InputsConfig = { inputs: { sr: { value: 16000 } } };
const INPUTS: Record<string, InputsConfig> = {
  oww_melspectrogram: { dims: { samples: 1280 } },
  silero_vad_v5: silero,
  silero_vad_v6: silero,
  silero_vad_legacy: silero,
  silero_vad_op15: silero,
  silero_vad_op18: silero,
};

export interface CheckInputs {
  feeds: Feeds;
  source: 'check data' | 'seeded';
  /** output_N.pb, when the check data has them. */
  expected?: Outputs;
}

/** The check's inputs through onnx/inputs, as the stages get them: check data where there is some, else seeded. */
export async function checkInputs(name: string, model: Model): Promise<Result<CheckInputs, string>> {
  const dir = fromRoot('configs/examples/data', name, 'test_data_set_0');
  let checkData: CheckData | undefined;
  if (existsSync(dir)) {
    const files = await checkDataFiles(dir);
    if (!files.ok) return files;
    const data = await readCheckData(files.value, model);
    if (!data.ok) return data;
    checkData = data.value;
  }
  const options = { seed: optimizeDefaults.check.seed, batch: 1, ...(checkData ? { checkData } : {}) };
  const feeds = checkFeeds(model, INPUTS[name] ?? {}, options);
  if (!feeds.ok) return feeds;
  const expected: Outputs = {};
  for (const [output, t] of checkData?.outputs ?? []) {
    const feed = tensorFeed(t);
    if (!feed.ok) return err(`${name}: expected output '${output}': ${feed.error}`);
    expected[output] = feed.value;
  }
  const source = feeds.value.fromCheckData ? 'check data' : 'seeded';
  return ok({ feeds: feeds.value.feeds, source, ...(checkData?.outputs.size ? { expected } : {}) });
}

export type Verdict = { status: 'done'; relL2: number } | { status: 'declined' | 'failed'; reason: string };

export interface OptimizeProof {
  verdict: Verdict;
  nodesBefore: number;
  nodesAfter: number;
  model: Model;
  seconds: number;
}

export async function proveOptimize(model: Model, feeds: Feeds): Promise<OptimizeProof> {
  const t0 = performance.now();
  const r = await optimizeModel(model, await passesByName(defaultPasses), optimizeDefaults, { feeds });
  const seconds = (performance.now() - t0) / 1000;
  const nodesBefore = countNodes(model.graph);
  if (!r.ok) {
    const verdict: Verdict = { status: r.error.cause === 'declined' ? 'declined' : 'failed', reason: r.error.message };
    return { verdict, nodesBefore, nodesAfter: nodesBefore, model, seconds };
  }
  const after = r.value.run.model;
  const verdict: Verdict = { status: 'done', relL2: r.value.check.worstRelL2 };
  return { verdict, nodesBefore, nodesAfter: countNodes(after.graph), model: after, seconds };
}

export interface Fp16Proof {
  verdict: Verdict;
  clamped: Record<string, number>;
  /** What happened to each If/Loop/Scan body of the main graph. */
  bodies: BodyOutcome[];
  seconds: number;
}

/**
 * As the convert:fp16 stage proves it: the float32-I/O conversion against the float32 model, 1e-2 relative
 * L2, then the bodies one at a time.
 */
export async function proveFp16(model: Model, feeds: Feeds): Promise<Fp16Proof> {
  const t0 = performance.now();
  const done = (verdict: Verdict, clamped: Record<string, number> = {}, bodies: BodyOutcome[] = []): Fp16Proof => ({
    verdict,
    clamped,
    bodies,
    seconds: (performance.now() - t0) / 1000,
  });
  const options = { keepFp32: fp16Defaults.keep_fp32, keepIoFp32: true };
  const converted = convertFloat16(model, options);
  if (!converted.ok) return done({ status: 'declined', reason: converted.error });
  const { clamped } = converted.value.report;
  const validation = validateModel(converted.value.model);
  if (!validation.ok) {
    const reason = `the float16 model does not pass the validator: ${validation.errors[0]?.message}`;
    return done({ status: 'failed', reason }, clamped);
  }
  const ref = await referenceRun(encodeModel(model), ok(feeds));
  if (!ref.ok) return done({ status: 'declined', reason: ref.error }, clamped);
  const measure: BodyCheck = async (m) => {
    const got = await runDisabled(encodeModel(m), feeds);
    if (!got.ok) return `onnxruntime-node cannot run it (${got.error})`;
    return compareOutputs(got.value, ref.value.outputs);
  };
  const first = await measure(converted.value.model);
  if (typeof first === 'string') return done({ status: 'declined', reason: first }, clamped);
  const tolerance = fp16Defaults.tolerance_rel_l2;
  if (!withinTolerance(first, tolerance))
    return done({ status: 'declined', reason: failingOutput(first, tolerance) }, clamped);
  const bodies = await convertBodies(model, [converted.value.model], options, measure, tolerance);
  const final = await measure(bodies.models[0] as Model);
  if (typeof final === 'string') throw new Error(`Internal error: the converted model stopped running: ${final}`);
  const none = nothingConverted(converted.value.report, bodies.outcomes);
  if (none) return done({ status: 'declined', reason: none }, clamped, bodies.outcomes);
  return done({ status: 'done', relL2: final.worstRelL2 }, clamped, bodies.outcomes);
}
