/**
 * The engine kits: the one list a new engine joins. The benchmark measures their runners in this order; the
 * registry lists their build steps' stages (measure/engine-stage.ts) the other way round, TensorRT's first, the
 * order `plan`, `run`, `--require` and the docs give them; the benchmark takes those stages' engines as inputs.
 * The registry also takes from them the tools `--require` probes, the kits' sections of the run config and
 * bench.engines' names and default list (`BENCH_SCHEMA`), the engines of each kit in `KITS` order.
 * `composeKits` derives all of it from any list of kits (test/templates registers the template kit through it).
 */
import type { TObject } from '@sinclair/typebox';
import { builtInputs, engineStages } from '../../measure/engine-stage.js';
import type { AnyBuild, EngineKit, EngineTable, KitSection, KitSections } from '../../measure/kit.js';
import { benchSchema, benchSection, type BenchConfig } from '../../measure/config.js';
import { configSection } from '../../pipeline/config/section.js';
import type { ProbedTool } from '../../pipeline/registry.js';
import { ortKit } from '../../ort/index.js';
import { torchKit } from '../../torch/index.js';
import { trtKit } from '../../trt/index.js';

export const KITS: readonly EngineKit[] = [ortKit, torchKit, trtKit];

/** What the registry and the benchmark take from a list of kits. */
export interface ComposedKits {
  /** Every kit's engines, in the list's order: bench.engines' names and default list. */
  engines: EngineTable;
  /** Every kit's build steps, in the registry's order (the list's last kit first). */
  builds: readonly AnyBuild[];
  /** The stages of those builds, one per build and precision (`engine:trt:fp32` first). */
  engineStages: ReturnType<typeof engineStages>;
  /** The benchmark's optional inputs, one per engine stage (`trtFp16`). */
  builtInputs: ReturnType<typeof builtInputs>;
  /** The tools the kits' runners probe inside the benchmark's run, by the name `--require` uses. */
  tools: Readonly<Record<string, ProbedTool>>;
  /** The kits' sections of the run config's schema, by name (`trt`). */
  schemas: Readonly<Record<string, TObject>>;
  /** Each kit's section of `root`, read by its schema with the defaults filled in: the benchmark's slice holds them. */
  kitSections(root: Readonly<Record<string, unknown>>): KitSections;
  /** The kits' sections out of the benchmark's slice, as its runners are handed them. */
  sectionsOf(slice: KitSections): KitSections;
}

export function composeKits(kits: readonly EngineKit[]): ComposedKits {
  const builds = [...kits].reverse().flatMap((k) => k.builds);
  const sections = kits.flatMap((k) => (k.section ? [k.section] : []));
  // The kit that declares a section gives its type in `KitSections`, which the cast takes on trust from the
  // kit's `section.name`.
  const bySection = (value: (s: KitSection) => unknown): KitSections =>
    Object.fromEntries(sections.map((s) => [s.name, value(s)])) as unknown as KitSections;
  return {
    engines: Object.assign({}, ...kits.map((k) => k.engines)) as EngineTable,
    builds,
    engineStages: engineStages(builds),
    builtInputs: builtInputs(builds),
    tools: Object.fromEntries(kits.flatMap((k) => k.tools.map((t) => [t.spec.name, t]))),
    schemas: Object.fromEntries(sections.map((s) => [s.name, s.schema])),
    kitSections: (root) => bySection((s) => configSection(root, s.name, s.schema)),
    sectionsOf: (slice) => bySection((s) => slice[s.name]),
  };
}

const COMPOSED = composeKits(KITS);

/** Every kit's engines, `ort` first: bench.engines' names in its schema's order, and its default list. */
export const ENGINES = COMPOSED.engines;

/** The `bench` section's schema, bench.engines one of the kits' engines. */
export const BENCH_SCHEMA = benchSchema(ENGINES);

/** The `bench` section with its defaults filled in, bench.engines' among them. */
export const benchConfig = (root: Readonly<Record<string, unknown>>): BenchConfig => benchSection(root, BENCH_SCHEMA);

/** Every kit's build steps, in the registry's order. */
export const BUILDS = COMPOSED.builds;

/** The stages of those builds, `engine:trt:fp32` first. */
export const ENGINE_STAGES = COMPOSED.engineStages;

/** The benchmark's optional inputs, one per engine stage (`trtFp16`). */
export const BUILT_INPUTS = COMPOSED.builtInputs;

/** The tools the kits' runners probe inside the benchmark's run, by the name `--require` uses. */
export const KIT_TOOLS = COMPOSED.tools;

/** The kits' sections of the run config's schema, by name (`trt`). */
export const KIT_SCHEMAS = COMPOSED.schemas;

/**
 * Each kit's section of `root`, read by its schema with the defaults filled in: the benchmark's config slice holds
 * them.
 */
export const kitSections = COMPOSED.kitSections;

/** The kits' sections out of the benchmark's slice, as its runners are handed them. */
export const sectionsOf = COMPOSED.sectionsOf;
