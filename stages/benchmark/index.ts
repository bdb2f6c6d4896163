/**
 * `benchmark`: measures every engine the earlier stages produced (and PyTorch running the same graph)
 * and writes bench.json. Never cached: a measurement describes the machine now. It declares no tools on
 * purpose: a missing torch or trtexec must skip those engines, not the onnxruntime benchmark with them,
 * so both are probed inside `run` and their absence lands in bench.json's `skipped`.
 *
 * With `--baseline FILE` the run is compared with an earlier bench.json; a slowdown beyond the measured
 * spread fails the stage (exit 1: the CI regression gate). A failed stage's outputs are not kept, so the
 * new measurement is saved beside the stage's persistent files and the failure names it.
 */
import { readFile } from 'node:fs/promises';
import type { InputsConfig } from '../../onnx/inputs/index.js';
import { ok } from '../../pipeline/result.js';
import { declareStage, defineStage, lazyRun, type ContextOf } from '../../pipeline/stage.js';
import { checkFiles } from '../../source/check-source.js';
import { inputsConfig, sourceSection } from '../../source/config.js';
import { isPrecision, type Precision } from '../../onnx/precision.js';
import { givenModel } from '../../source/given.js';
import { latestModel, sourceModel } from '../../source/model-ref.js';
import type { BenchConfig } from '../../measure/config.js';
import { BUILT_INPUTS, benchConfig, kitSections } from './kits.js';
import { labelFiles } from './labels.js';
import type { BenchFile } from '../../measure/result.js';
import type { KitSections } from '../../measure/kit.js';
import { decideConfig, type DecideConfig } from '../../measure/decide-config.js';

/** The benchmark's slice: its sections, and each kit's (`KitSections`: `trt`, where trtexec is, how it times). */
export interface BenchStageConfig extends KitSections {
  bench: BenchConfig;
  /** How the model's inputs are fed (model.dims, model.inputs, model.batch_dim); its check data comes as files. */
  model: InputsConfig;
  /** The accuracy budget and confidence of the verdict (the `decide` section). */
  decide: DecideConfig;
  /**
   * `--precision`: the one precision measured (the other listed as left out). In the key, so a partial
   * measurement is never stored, reused or reported as the full one.
   */
  only?: Precision;
}

const isPath = (v: unknown): v is string => typeof v === 'string';

const declared = declareStage({
  name: 'benchmark',
  version: 2,
  description: 'latency, throughput and correctness of every engine on the same seeded inputs',
  config: (root, options): BenchStageConfig => ({
    bench: benchConfig(root),
    model: inputsConfig(root),
    ...kitSections(root),
    decide: decideConfig(root),
    only: options?.precision,
  }),
  // `--precision` (`all` is no precision: everything is measured) and `--baseline FILE`.
  options: { precision: isPrecision, baseline: isPath },
  display: (root) => givenModel(root),
  // The check data with its labels.json, for the correctness check and the task metric.
  files: async (root) => {
    const check = await checkFiles(root);
    const dir = sourceSection(root).check_data;
    return check.ok && dir ? ok({ check_data: { ...check.value.check_data, ...(await labelFiles(dir)) } }) : check;
  },
  inputs: {
    model: latestModel,
    // The correctness reference runs the model before any pass of ours (reference.ts).
    source: sourceModel,
    fp16: { stage: 'convert:fp16', output: 'model', optional: true },
    int8: { stage: 'quantize:int8', output: 'model', optional: true },
    ...BUILT_INPUTS,
  },
  outputs: { bench: 'bench.json' },
  cache: 'never',
  // `--json`: the verdict per batch size and how many measurements were noisy.
  summary: async ({ bench }) => {
    if (!bench) return undefined;
    const file = JSON.parse(await readFile(bench, 'utf8')) as BenchFile;
    const noisy = file.measurements.filter((m) => m.noise?.noisy).length;
    return { recommendation: file.recommendation, measurements: file.measurements.length, noisy };
  },
});

/** The benchmark's `ctx`: its models and engines (`undefined` where not built), the check data, the options. */
export type Context = ContextOf<typeof declared>;

export default defineStage({ ...declared, run: lazyRun(() => import('./run.js')) });
