/**
 * The optimize and FP16 proofs on one real model, shared by the corpus test (test/corpus/proof.test.ts) and
 * `make bench-corpus` (bench/corpus.ts): the check's inputs, then optimize (pass list, validator, numeric
 * check with bisection) and FP16 conversion with its tolerance check, each ending optimized/converted,
 * declined with the reason, or failed.
 *
 * Inputs: the model's test_data_set_0 under configs/examples/data (bench/make-check-data.ts) where there is
 * one; otherwise seeded normals at the shapes below for dims without a value (batch 1).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DType, type Model } from '../onnx/ir.js';
import type { AnyTensor } from '../onnx/ort.js';
import { countNodes } from '../onnx/rewrite/subgraphs.js';
import { encodeModel } from '../onnx/serde.js';
import { decodeTensorFile, tensorValues } from '../onnx/tensor.js';
import { validateModel } from '../onnx/validate/index.js';
import { err, ok, type Result } from '../pipeline/result.js';
import { defaults as fp16Defaults } from '../stages/convert-fp16/config.js';
import { convertFloat16 } from '../stages/convert-fp16/convert.js';
import { defaults as optimizeDefaults } from '../stages/optimize/config.js';
import { compareOutputs, referenceRun, runDisabled, seededFeeds, withinTolerance, type Feeds, type Outputs } from '../stages/optimize/numeric-check.js';
import { optimizeModel } from '../stages/optimize/optimize-model.js';
import { defaultPasses, passesByName } from '../stages/optimize/passes/index.js';
import { fromRoot } from '../test/repo-root.js';

/** Whole input shapes for the models whose dims have no value and that have no check data. */
const SHAPES: Record<string, Record<string, number[]>> = {
  oww_melspectrogram: { input: [1, 1280] },
  oww_embedding: { input_1: [1, 76, 32, 1] },
};

export interface CheckInputs {
  feeds: Feeds;
  source: 'check data' | 'seeded';
  /** output_N.pb, when the check data has them. */
  expected?: Outputs;
}

const anyTensor = (dtype: DType, dims: readonly number[], data: ArrayLike<number> | BigInt64Array): AnyTensor | undefined =>
  dtype === DType.FLOAT ? { type: 'float32', dims, data: data as Float32Array }
    : dtype === DType.INT64 ? { type: 'int64', dims, data: data as BigInt64Array } : undefined;

async function readTensors(dir: string, prefix: 'input' | 'output', names: readonly string[]): Promise<Result<Record<string, AnyTensor>, string>> {
  const files = (await readdir(dir)).filter((f) => f.startsWith(`${prefix}_`)).sort((a, b) => parseInt(a.slice(prefix.length + 1)) - parseInt(b.slice(prefix.length + 1)));
  const out: Record<string, AnyTensor> = {};
  for (const [k, f] of files.entries()) {
    const t = await decodeTensorFile(join(dir, f));
    if (!t.ok) return t;
    const values = tensorValues(t.value);
    const a = values.ok ? anyTensor(t.value.dtype, t.value.dims, values.value as Float32Array) : undefined;
    if (!a) return err(`${f}: not a float32 or int64 tensor`);
    out[t.value.name || (names[k] ?? f)] = a;
  }
  return ok(out);
}

export async function checkInputs(name: string, model: Model): Promise<Result<CheckInputs, string>> {
  const dir = fromRoot('configs/examples/data', name, 'test_data_set_0');
  const inits = new Set(model.graph.initializers.map((t) => t.name));
  const inputNames = model.graph.inputs.filter((v) => !inits.has(v.name)).map((v) => v.name);
  const files = await readdir(dir).catch(() => undefined);
  if (files) {
    const feeds = await readTensors(dir, 'input', inputNames);
    const expected = await readTensors(dir, 'output', model.graph.outputs.map((v) => v.name));
    if (!feeds.ok) return feeds;
    if (!expected.ok) return expected;
    return ok({ feeds: feeds.value, source: 'check data', ...(Object.keys(expected.value).length ? { expected: expected.value } : {}) });
  }
  const shapes = SHAPES[name] ?? {};
  const sized: Model = { ...model, graph: { ...model.graph, inputs: model.graph.inputs.map((v) => (shapes[v.name] && v.type ? { ...v, type: { ...v.type, shape: shapes[v.name] } } : v)) } };
  const feeds = seededFeeds(sized, optimizeDefaults.check.seed, 1);
  return feeds.ok ? ok({ feeds: feeds.value, source: 'seeded' }) : feeds;
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
  const r = await optimizeModel(model, passesByName(defaultPasses), optimizeDefaults, { feeds });
  const seconds = (performance.now() - t0) / 1000;
  const nodesBefore = countNodes(model.graph);
  if (!r.ok) return { verdict: { status: r.error.declined ? 'declined' : 'failed', reason: r.error.message }, nodesBefore, nodesAfter: nodesBefore, model, seconds };
  const after = r.value.run.model;
  return { verdict: { status: 'done', relL2: r.value.check.worstRelL2 }, nodesBefore, nodesAfter: countNodes(after.graph), model: after, seconds };
}

export interface Fp16Proof {
  verdict: Verdict;
  clamped: Record<string, number>;
  subgraphs: number;
  seconds: number;
}

/** As the convert:fp16 stage proves it: the float32-I/O conversion against the float32 model, 1e-2 relative L2. */
export async function proveFp16(model: Model, feeds: Feeds): Promise<Fp16Proof> {
  const t0 = performance.now();
  const done = (verdict: Verdict, clamped: Record<string, number> = {}, subgraphs = 0): Fp16Proof => ({ verdict, clamped, subgraphs, seconds: (performance.now() - t0) / 1000 });
  const converted = convertFloat16(model, { keepFp32: fp16Defaults.keep_fp32, keepIoFp32: true });
  if (!converted.ok) return done({ status: 'declined', reason: converted.error });
  const { clamped, subgraphs } = converted.value.report;
  const validation = validateModel(converted.value.model);
  if (!validation.ok) return done({ status: 'failed', reason: `the float16 model does not pass the validator: ${validation.errors[0]?.message}` }, clamped, subgraphs.length);
  const ref = await referenceRun(encodeModel(model), ok(feeds));
  if (!ref.ok) return done({ status: 'declined', reason: ref.error }, clamped, subgraphs.length);
  const got = await runDisabled(encodeModel(converted.value.model), feeds);
  if (!got.ok) return done({ status: 'failed', reason: `onnxruntime-node cannot run the float16 model (${got.error})` }, clamped, subgraphs.length);
  const c = compareOutputs(got.value, ref.value.outputs);
  const verdict: Verdict = withinTolerance(c, fp16Defaults.tolerance_rel_l2) ? { status: 'done', relL2: c.worstRelL2 }
    : { status: 'failed', reason: `relative L2 ${c.worstRelL2.toExponential(2)} > ${fp16Defaults.tolerance_rel_l2}` };
  return done(verdict, clamped, subgraphs.length);
}
