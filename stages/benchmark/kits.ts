/**
 * The engine kits: the one list a new engine joins. The benchmark measures their runners in this order; the
 * registry lists their build steps' stages (measure/engine-stage.ts) the other way round, TensorRT's first, the
 * order `plan`, `run`, `--require` and the docs give them; the benchmark takes those stages' engines as inputs.
 * The registry also takes from them the tools `--require` probes and the kits' sections of the run config.
 */
import type { TObject } from '@sinclair/typebox';
import { builtInputs, engineStages } from '../../measure/engine-stage.js';
import type { EngineKit, KitSection, KitSections } from '../../measure/kit.js';
import { configSection } from '../../pipeline/config/section.js';
import type { ProbedTool } from '../../pipeline/registry.js';
import { ortKit } from '../../ort/index.js';
import { torchKit } from '../../torch/index.js';
import { trtKit } from '../../trt/index.js';

export const KITS: readonly EngineKit[] = [ortKit, torchKit, trtKit];

/** Every kit's build steps, in the registry's order. */
export const BUILDS = [...KITS].reverse().flatMap((k) => k.builds);

/** The stages of those builds, `engine:trt:fp32` first. */
export const ENGINE_STAGES = engineStages(BUILDS);

/** The benchmark's optional inputs, one per engine stage (`trtFp16`). */
export const BUILT_INPUTS = builtInputs(BUILDS);

/** The tools the kits' runners probe inside the benchmark's run, by the name `--require` uses. */
export const KIT_TOOLS: Readonly<Record<string, ProbedTool>> = Object.fromEntries(
  KITS.flatMap((k) => k.tools.map((t) => [t.spec.name, t])),
);

const SECTIONS = KITS.flatMap((k) => (k.section ? [k.section] : []));

/** The kits' sections of the run config's schema, by name (`trt`). */
export const KIT_SCHEMAS: Readonly<Record<string, TObject>> = Object.fromEntries(
  SECTIONS.map((s) => [s.name, s.schema]),
);

/**
 * One value per kit section, by its name. The kit that declares a section gives its type in `KitSections`, which
 * the cast takes on trust from the kit's `section.name`.
 */
const bySection = (value: (s: KitSection) => unknown): KitSections =>
  Object.fromEntries(SECTIONS.map((s) => [s.name, value(s)])) as unknown as KitSections;

/**
 * Each kit's section of `root`, read by its schema with the defaults filled in: the benchmark's config slice holds
 * them.
 */
export const kitSections = (root: Readonly<Record<string, unknown>>): KitSections =>
  bySection((s) => configSection(root, s.name, s.schema));

/** The kits' sections out of the benchmark's slice, as its runners are handed them. */
export const sectionsOf = (slice: KitSections): KitSections => bySection((s) => slice[s.name]);
