/**
 * What an engine kit (trt/, torch/, ort/) is, in one place: its engines' names (`KitEngines`), the kit itself
 * (`EngineKit`: the tools its runner probes, its build steps, its config section, its runner), a build step
 * (`EngineBuild`, which measure/engine-stage.ts turns into the stages `engine:<engine>:<precision>`) and the
 * benchmark's runner (`EngineRunner`) with what the benchmark hands it. Adding an engine is a kit folder exporting
 * an `EngineKit` and its row in stages/benchmark/kits.ts `KITS`; the registry and the benchmark derive the rest
 * (the stages, the commands' targets, bench.engines and the config schema, `--require`).
 * test/templates/example-kit.ts is a whole kit in one file to copy (docs/architecture.md, "Adding a kit").
 *
 * run-bench.ts goes down the kits' runners: each says, per precision, the file it would run or why there is none,
 * whether this machine can run it at all, and then measures what it can; whatever it cannot is skipped with a kind.
 */
import type { TObject } from '@sinclair/typebox';
import type { ProbedTool } from '../pipeline/registry.js';
import type { Result } from '../pipeline/result.js';
import type { ContextOf, Declaration, Empty, InputRefs, StageDef, StageLog, UserFiles } from '../pipeline/stage.js';
import type { BenchConfig } from './config.js';
import type { BenchInputs } from './feeds.js';
import type { Measurement, SkipKind, SkippedEngine } from './result.js';
import type { InputsConfig } from '../onnx/inputs/index.js';
import type { Exec } from '../pipeline/execute/exec.js';
import type { Calibrator } from './calibration.js';
import type { Precision } from '../onnx/precision.js';

/**
 * Every engine's name, as bench.engines, bench.json and the report give it: each kit adds its own from its
 * `engines` table by declaration merging (`interface KitEngines extends Engines {}`, as `KitSections`), so the
 * names are written in the kits only. stages/benchmark/kits.ts composes bench.engines' schema from the tables.
 */
export interface KitEngines {}
export type EngineName = keyof KitEngines & string;

/**
 * A kit's engines in bench.engines' schema order (the kits' in `KITS` order), each with whether bench.engines lists
 * it when the config does not say (`true` moves the benchmark's config slice, and docs/benchmark.md's quoted
 * default: test/docs-defaults.test.ts says so).
 */
export type EngineTable = { readonly [E in EngineName]?: boolean };

/** What an engine kit is: its runner for the benchmark, the stages that build its engines, what it adds to the run. */
export interface EngineKit<Ready = unknown> {
  /** The engine family, as bench.json names it: `trt`, `torch`, `ort`. */
  readonly name: string;
  /** Its engines (`{ openvino: false }`): their names, in bench.engines' order, and whether listed by default. */
  readonly engines: EngineTable;
  /**
   * The tools its runner probes inside the benchmark's run, each with the config its probe sees: `--require NAME`
   * accepts their names and probes a required one before anything runs (the registry's `probedTools`). None for
   * a dependency.
   */
  readonly tools: readonly ProbedTool[];
  /** Its build steps, one stage per precision each (none for an engine that runs the ONNX as it is). */
  readonly builds: readonly AnyBuild[];
  /** Its own section of the run config (`trt`), where it has one: the registry adds it to the config's schema. */
  readonly section?: KitSection;
  /** The benchmark's runner for this engine, loaded when the benchmark runs (listing the stages loads none). */
  runner(): Promise<EngineRunner<Ready>>;
}

/**
 * The kits' config sections by name, with defaults filled in, as the benchmark's slice holds them and hands them
 * to the runners in `BenchRequest`. A kit with a section adds it here by declaration merging (trt/config.ts adds
 * `trt`), so its runner reads it typed.
 */
export interface KitSections {}

/** A kit's section of the run config: its name there, and its schema with every field's default. */
export interface KitSection {
  /** The key in the run config, and in `KitSections`. */
  readonly name: keyof KitSections & string;
  /** The section's schema; the config check fills in its defaults (pipeline/config/section.ts). */
  readonly schema: TObject;
}

/**
 * One precision's build: a stage declaration (pipeline/stage.ts) less its name and tags, which the build's engine
 * and the precision give, and less its run, which the build holds once; output `engine` is what the runner loads.
 * `I`: its inputs as declared, `F`: the user files it reads (the check data, whose shapes a PyTorch build compiles
 * for); both type its `run`'s `ctx.inputs`.
 */
export type EngineStep<C, I extends InputRefs = InputRefs, F extends UserFiles = Empty> = Omit<
  Declaration<C, I, F>,
  'name' | 'tags' | 'options' | 'outputs'
> & {
  /** Output label → file name; `engine` is the file the benchmark's runner loads. */
  outputs: Readonly<{ engine: string } & Record<string, string>>;
};

/**
 * A kit's build step, as `declareBuild` takes it: the stages `engine:<engine>:<precision>` (tagged with both, for
 * `--precision`), which the registry lists and the `engines` command targets. The benchmark takes each one's
 * `engine` output as an optional input `<artifact><Precision>` (`trtFp16`) and hands it to the runners as
 * `r.artifacts.built[artifact][precision]`.
 */
export interface BuildDeclaration<C, I extends InputRefs = InputRefs, F extends UserFiles = Empty> {
  /** The engine as the stage names and tags it: `trt`, `torch-compile`. */
  readonly engine: string;
  /** The name of its files in the benchmark's inputs and `BenchArtifacts.built`: `trt`, `compiled`. */
  readonly artifact: string;
  /** One stage for each, in this order. */
  readonly precisions: readonly Precision[];
  /** The declaration of its stage for `precision`. */
  step(precision: Precision): EngineStep<C, I, F>;
}

/**
 * A build step with its run (`defineBuild`). Declare it in a module of its own that imports no runner: that module
 * is the stages' code identity.
 */
export interface EngineBuild<C, I extends InputRefs = InputRefs, F extends UserFiles = Empty>
  extends BuildDeclaration<C, I, F> {
  /** Builds one precision's engine; `ctx.config` says which. */
  run: StageDef<C, I, F>['run'];
}

/**
 * A build's declaration, its types inferred as `declareStage` infers a stage's. Its `run` lives in another module
 * and takes `BuildContext<typeof declared>`; `defineBuild({ ...declared, run: lazyRun(() => import('./run.js')) })`
 * adds it.
 */
export const declareBuild = <C, const I extends InputRefs, F extends UserFiles = Empty>(
  declaration: BuildDeclaration<C, I, F>,
): BuildDeclaration<C, I, F> => declaration;

/** A build step, its types inferred from its declaration. */
export const defineBuild = <C, const I extends InputRefs, F extends UserFiles = Empty>(
  build: EngineBuild<C, I, F>,
): EngineBuild<C, I, F> => build;

/** The `ctx` a build's run gets: a stage's `ContextOf` its declaration. */
export type BuildContext<B> =
  B extends BuildDeclaration<infer C, infer I, infer F> ? ContextOf<Declaration<C, I, F>> : never;

/** A build of any config, as a kit lists them (each keeps its own config type, as the registry's stages do). */
export type AnyBuild = EngineBuild<any, any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A file per precision, where the stage that makes it made one. */
export type ByPrecision = { readonly [P in Precision]?: string | undefined };

/** The files the benchmark runs: one table per kind of file, keyed by precision, so a new precision is a key. */
export interface BenchArtifacts {
  /** The optimized FP32 ONNX, which ORT FP32 and PyTorch run. */
  model: string;
  /** The model before optimization (import or build): the correctness reference's graph (reference.ts). */
  source: string;
  /**
   * The ONNX model ORT runs at each precision other than fp32 (convert:fp16's for fp16, quantize:int8's Q/DQ
   * model for int8).
   */
  onnx?: ByPrecision;
  /**
   * What the kits' build steps made, by each one's `artifact`: TensorRT's engines (`trt`), torch.compile's portable
   * caches (`compiled`), torch-fused's per-block plan (`fused`), the AOTInductor packages (`aoti`).
   */
  built?: Readonly<Record<string, ByPrecision>>;
}

/** What the benchmark asks of every runner, the kits' config sections (`KitSections`: `trt`) among it. */
export interface BenchRequest extends KitSections {
  /**
   * The `bench` section, defaults filled in (measure/config.ts): `runs`, `max_seconds`, `warmup`,
   * `warmup_max_seconds` (sampling.ts `timedBudget`/`warmupBudget` make them a runner's limits), `batch_sizes`,
   * `engines`, `precisions`, `seed`, `tolerance`, and the built-in runners' settings (`ort`, `torch`).
   */
  config: BenchConfig;
  /** The files to run: the ONNX models, and each build's engines by precision (`built[artifact][precision]`). */
  artifacts: BenchArtifacts;
  /** A scratch folder of the benchmark's, removed after it: where a runner writes the inputs it hands a process. */
  workDir: string;
  /** Runs a program (execa, an argument array; never throws: `exitCode`, `stdout`, `stderr`, `spawnError`). */
  exec: Exec;
  /** The benchmark stage's log: `info`, `warn`, and, on a terminal, `progress` for a long measurement's live line. */
  log: Pick<StageLog, 'info' | 'warn'> & Partial<Pick<StageLog, 'progress'>>;
  /** What onnx/inputs needs to feed the model (model.dims, model.inputs, model.batch_dim). */
  inputs?: InputsConfig;
  /** model.check_data's files (input_N.pb, output_N.pb, labels.json), when given. */
  checkFiles?: Readonly<Record<string, string>>;
  /** The user's model as they gave it (source/given.ts); absent for the built model. */
  given?: Readonly<Record<string, string>>;
  /** `--precision`: measure only this one; the other is recorded as left out. */
  only?: Precision;
  signal?: AbortSignal;
}

/** Why something cannot be measured (bench.json's `skipped` writes them as `kind` and `reason`). */
export interface Skip {
  /** The value code switches on. */
  cause: SkipKind;
  /** The sentence people read. */
  message: string;
}

/** A measurement with its output, for the correctness check against the reference. */
export interface Measured {
  measurement: Measurement;
  output: Float32Array;
  dims: readonly number[];
}

/** What a runner hands back: its measurements, what it skipped, and the versions it ran with. */
export interface EngineGroup {
  measured: Measured[];
  skipped: SkippedEngine[];
  /** Library versions for bench.json's environment (torch, python, CUDA…). */
  versions?: Record<string, string>;
  /** The GPU the runner saw, where nvidia-smi cannot say. */
  gpu?: { name: string; computeCapability?: string };
  /** The runner was killed from outside (the OOM killer): the benchmark fails with this reason. */
  died?: string;
}

/** A runner's share of the benchmark: the request, and what of it this runner measures. */
export interface RunnerRequest extends BenchRequest {
  /** Its engines that bench.engines lists. */
  engines: readonly EngineName[];
  /** Its batch sizes that the model can run. */
  batches: number[];
  /**
   * The model's inputs (feeds.ts): `feeds(batch)` is every graph input's tensor at that batch, by name (`type`,
   * `dims`, `data` as onnxruntime takes them), or why that batch cannot be fed; the same bytes for every engine
   * and the correctness reference, the check data's at the batch it was recorded at. `specs` describes them.
   */
  feeds: BenchInputs;
  /** The optimized model's bytes (PyTorch runs its graph). */
  modelBytes: Uint8Array;
  /** The machine-speed workload (calibration.ts), timed interleaved with the measurements. */
  calibrator?: Calibrator;
}

/** A precision this runner has a file for: the ONNX model or engine it runs. */
export interface Work {
  precision: Precision;
  artifact: string;
}

/** The benchmark's runner of one kit; `Ready` is what `available` found (its tool), handed to `measure`. */
export interface EngineRunner<Ready = unknown> {
  /** The names in bench.engines it measures. */
  readonly engines: readonly EngineName[];
  /** Its batch sizes, when not bench.batch_sizes. */
  batchSizes?(c: BenchConfig): number[];
  /** The file it runs for `precision`, or why there is none (the stage that makes it produced nothing). */
  artifact(r: RunnerRequest, precision: Precision): string | Skip;
  /**
   * Whether this machine can run it at all (its tool, its GPU): what it found, or why not. It probes its tool
   * itself, inside the benchmark's run: a missing tool skips its engines, not the benchmark.
   */
  available(r: RunnerRequest): Promise<Result<Ready, Skip>>;
  /** It interleaves calibration rounds with each measurement's samples; otherwise its group is bracketed. */
  readonly calibratesEach?: boolean;
  /** Every engine × precision × batch of `work`; a run that fails is skipped with its kind. */
  measure(r: RunnerRequest, ready: Ready, work: readonly Work[]): Promise<EngineGroup>;
}
