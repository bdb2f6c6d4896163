/**
 * The registry: every stage, the run config's schema composed from each stage's section, the commands (their
 * help line and the stages each targets; the runner adds whatever they consume) and the options the stages see.
 */
import { tagFilter, type Registry, type RegistryCommand } from '../pipeline/registry.js';
import benchmark from './benchmark/index.js';
import { schema as decideSchema } from '../measure/decide-config.js';
import build from './build/index.js';
import { schema as modelSchema } from './build/config.js';
import convertFp16 from './convert-fp16/index.js';
import { schema as fp16Schema } from './convert-fp16/config.js';
import { BENCH_SCHEMA, ENGINE_STAGES, KIT_SCHEMAS, KIT_TOOLS } from './benchmark/kits.js';
import graph from './graph/index.js';
import importModel from './import/index.js';
import { mixedSourceProblem } from '../source/config.js';
import { givenModel } from '../source/given.js';
import { modelOptions } from './import/options.js';
import { preflight } from './import/preflight.js';
import { schema as graphSchema } from './graph/config.js';
import optimize from './optimize/index.js';
import { schema as optimizeSchema } from './optimize/config.js';
import quantizeInt8 from './quantize-int8/index.js';
import { schema as quantizeSchema } from './quantize-int8/config.js';
import { quantizePreflight } from './quantize-int8/preflight.js';
import report from './report/index.js';
import { schema as reportSchema } from './report/config.js';
import validate from './validate/index.js';
import { budgetProblem, limitsSchema } from './build/budget.js';
import { readBenchFile } from './benchmark/baseline.js';
import { schema as validateSchema } from './validate/config.js';
import { PRECISIONS } from '../onnx/precision.js';

/** Every command narrows by precision; only the ones that measure (`bench`, and `run`) compare with a baseline. */
const command = (
  describe: string,
  targets: readonly string[],
  options: readonly string[] = ['precision'],
): RegistryCommand => ({ describe, targets, options });

export const registry: Registry = {
  stages: [
    build,
    importModel,
    validate,
    optimize,
    convertFp16,
    quantizeInt8,
    ...ENGINE_STAGES,
    benchmark,
    graph,
    report,
  ],
  configSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      model: modelSchema,
      validate: validateSchema,
      optimize: optimizeSchema,
      fp16: fp16Schema,
      quantize: quantizeSchema,
      // The kits' own sections (`trt`).
      ...KIT_SCHEMAS,
      bench: BENCH_SCHEMA,
      decide: decideSchema,
      report: reportSchema,
      graph: graphSchema,
      limits: limitsSchema,
    },
  },
  checkConfig: (c) => mixedSourceProblem(c) ?? budgetProblem(c),
  // The benchmark probes the kits' tools inside its run (a missing torch skips those engines, not the benchmark).
  probedTools: KIT_TOOLS,
  commands: {
    build: command('build the model (model.onnx)', ['build', 'import']),
    validate: command('build and validate the model', ['validate']),
    optimize: command('optimize the model (model.opt.onnx, passes.json)', ['optimize']),
    quantize: command('the int8 Q/DQ model (model.int8.onnx, quantize.json)', ['quantize:int8']),
    onnx: command('every ONNX artifact: built, optimized, FP16', ['build', 'import', 'optimize', 'convert:fp16']),
    engines: command(
      'TensorRT and compiled PyTorch engines',
      ENGINE_STAGES.map((s) => s.name),
    ),
    bench: command('benchmark every engine (re-measured on each run)', ['benchmark'], ['precision', 'baseline']),
    report: command('report.md and report.html from the benchmark', ['report']),
    graph: command('the raw and optimized graphs drawn with GraphViz', ['graph']),
  },
  stageOptions: {
    // The stages tagged with a precision; the benchmark measures only this one and lists the other as left out.
    precision: tagFilter('precision', PRECISIONS, 'leave out stages of the other precisions'),
    baseline: {
      describe: 'an earlier bench.json to compare with (benchmark stage)',
      file: true,
      async check(file) {
        const read = await readBenchFile(file);
        return read.ok ? undefined : read.error;
      },
    },
  },
  options: modelOptions,
  subject: (root) => givenModel(root),
  async preflight(config, file) {
    const checked = await preflight(config, file);
    return checked.ok ? quantizePreflight(checked.value, file) : checked;
  },
};

export default registry;
