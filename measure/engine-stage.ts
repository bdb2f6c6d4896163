/**
 * The stages of the kits' build steps (kit.ts `EngineBuild`), and the benchmark's side of them: one optional input
 * per stage, and those inputs as `BenchArtifacts.built`. The registry and the benchmark derive all three from the
 * list of kits (stages/benchmark/kits.ts), so a new kit's engines need no line of their own anywhere else.
 */
import type { AnyStage } from '../pipeline/plan/graph.js';
import {
  declareStage,
  defineStage,
  type Empty,
  type InputRef,
  type InputRefs,
  type StageDef,
  type UserFiles,
} from '../pipeline/stage.js';
import type { Precision } from '../onnx/precision.js';
import type { AnyBuild, BenchArtifacts, EngineBuild } from './kit.js';

const stageName = (b: AnyBuild, precision: Precision) => `engine:${b.engine}:${precision}`;
const inputName = (b: AnyBuild, precision: Precision) =>
  `${b.artifact}${precision[0]!.toUpperCase()}${precision.slice(1)}`;

const pathOf = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

const declaredBy = new WeakMap<object, AnyBuild>();

/**
 * `engine:<engine>:<precision>`, tagged with both (`--precision` filters on the tag); the rest is the step's
 * declaration and the build's run.
 */
export function engineStage<C, I extends InputRefs = InputRefs, F extends UserFiles = Empty>(
  build: EngineBuild<C, I, F>,
  precision: Precision,
): StageDef<C, I, F> {
  const declared = declareStage<C, I, F>({
    name: stageName(build, precision),
    ...build.step(precision),
    tags: { precision, engine: build.engine },
  });
  const stage = defineStage({ ...declared, run: build.run });
  declaredBy.set(stage, build);
  return stage;
}

/**
 * The build a stage was made from. scripts/bundle.mjs roots the stage's code identity at the module that exports
 * the build, which holds the build and not the kit's runner: changing how an engine is timed does not rebuild it.
 */
export const buildOf = (stage: object): AnyBuild | undefined => declaredBy.get(stage);

/** Every stage of `builds`, build by build, each in its precisions' order. */
export const engineStages = (builds: readonly AnyBuild[]): AnyStage[] =>
  builds.flatMap((b) => b.precisions.map((p) => engineStage(b, p)));

/** The benchmark's inputs: each stage's `engine` output as `<artifact><Precision>` (`trtFp16`), optional. */
export const builtInputs = (builds: readonly AnyBuild[]): Record<string, InputRef> =>
  Object.fromEntries(
    builds.flatMap((b) =>
      b.precisions.map((p) => [inputName(b, p), { stage: stageName(b, p), output: 'engine', optional: true }]),
    ),
  );

/** Those inputs, out of the benchmark's `ctx.inputs`, as the runners read them: `built[artifact][precision]`. */
export const builtFiles = (
  builds: readonly AnyBuild[],
  inputs: Readonly<Record<string, unknown>>,
): NonNullable<BenchArtifacts['built']> =>
  Object.fromEntries(
    builds.map((b) => [b.artifact, Object.fromEntries(b.precisions.map((p) => [p, pathOf(inputs[inputName(b, p)])]))]),
  );
