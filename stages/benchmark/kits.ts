/**
 * The engine kits: the one list a new engine joins. The benchmark measures their runners in this order; the
 * registry lists their build steps' stages (measure/engine-stage.ts) the other way round, TensorRT's first, the
 * order `plan`, `run`, `--require` and the docs give them; the benchmark takes those stages' engines as inputs.
 */
import { builtInputs, engineStages } from '../../measure/engine-stage.js';
import type { EngineKit } from '../../measure/kit.js';
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
