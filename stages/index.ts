/**
 * The registry: every stage, the run config's schema composed from each stage's section, and the stages each
 * command targets (the runner adds whatever they consume).
 */
import type { Registry } from '../pipeline/registry.js';
import type { ToolSpec } from '../pipeline/stage.js';
import benchmark from './benchmark/index.js';
import { schema as benchSchema } from './benchmark/config.js';
import build from './build/index.js';
import { schema as modelSchema } from './build/config.js';
import convertFp16 from './convert-fp16/index.js';
import { schema as fp16Schema } from './convert-fp16/config.js';
import { trtFp16, trtFp32 } from './engine-trt/index.js';
import { schema as trtSchema } from '../trt/config.js';
import { torchCompileFp16, torchCompileFp32 } from './engine-torch/index.js';
import graph from './graph/index.js';
import importModel from './import/index.js';
import { modelOptions } from './import/options.js';
import { preflight } from './import/preflight.js';
import { schema as graphSchema } from './graph/config.js';
import optimize from './optimize/index.js';
import { schema as optimizeSchema } from './optimize/config.js';
import report from './report/index.js';
import { schema as reportSchema } from './report/config.js';
import validate from './validate/index.js';
import { budgetProblem, limitsSchema } from './build/budget.js';
import { benchConfig } from './benchmark/config.js';
import { torchTool } from './benchmark/torch-runner.js';
import { readBenchFile } from './benchmark/baseline.js';
import { schema as validateSchema } from './validate/config.js';

export const registry: Registry = {
  stages: [
    build,
    importModel,
    validate,
    optimize,
    convertFp16,
    trtFp32,
    trtFp16,
    torchCompileFp32,
    torchCompileFp16,
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
      trt: trtSchema,
      bench: benchSchema,
      report: reportSchema,
      graph: graphSchema,
      limits: limitsSchema,
    },
  },
  checkConfig: budgetProblem,
  // The benchmark probes PyTorch inside its run (a missing torch skips those engines, not the benchmark).
  probedTools: Object.fromEntries(
    ['torch', 'python'].map((name) => [
      name,
      {
        spec: { ...torchTool(), name } as ToolSpec<unknown>,
        config: (root: Readonly<Record<string, unknown>>) => benchConfig(root),
      },
    ]),
  ),
  async checkOptions(options) {
    if (typeof options['baseline'] !== 'string') return undefined;
    const read = await readBenchFile(options['baseline']);
    return read.ok ? undefined : `--baseline: ${read.error}`;
  },
  targets: {
    build: ['build', 'import'],
    validate: ['validate'],
    optimize: ['optimize'],
    onnx: ['build', 'import', 'optimize', 'convert:fp16'],
    engines: ['engine:trt:fp32', 'engine:trt:fp16', 'engine:torch-compile:fp32', 'engine:torch-compile:fp16'],
    bench: ['benchmark'],
    report: ['report'],
    graph: ['graph'],
  },
  options: modelOptions,
  preflight,
};

export default registry;
