/**
 * The `optimize` section: which passes run, and how closely the optimized model must agree with the input.
 * The tolerance: folding reorders float32 arithmetic (W·s computed once instead of BN after Conv), which
 * moves results by a few ulps per layer; 1e-5 relative L2 leaves room for that over ~50 layers while
 * catching any real mistake, which shows up at 1e-3 or worse.
 */
import { configSection } from '../../pipeline/section.js';
import { defaultPasses, passNames } from './passes/names.js';

/** The seeded inputs a numeric check runs on; optimize and convert:fp16 both check this way. */
export interface CheckConfig {
  seed: number;
  batch: number;
}

export const checkSchema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: { seed: { type: 'integer', minimum: 0, default: 0 }, batch: { type: 'integer', minimum: 1, default: 2 } },
} as const;

export const checkDefaults: CheckConfig = { seed: 0, batch: 2 };

export interface OptimizeConfig {
  passes: string[];
  tolerance_rel_l2: number;
  check: CheckConfig;
}

export const schema = {
  type: 'object',
  additionalProperties: false,
  default: {},
  properties: {
    passes: { type: 'array', items: { enum: passNames }, uniqueItems: true, default: [...defaultPasses] },
    tolerance_rel_l2: { type: 'number', exclusiveMinimum: 0, default: 1e-5 },
    check: checkSchema,
  },
} as const;

export const defaults: OptimizeConfig = { passes: [...defaultPasses], tolerance_rel_l2: 1e-5, check: checkDefaults };

export const optimizeConfig = (root: Readonly<Record<string, unknown>>): OptimizeConfig =>
  configSection(root, 'optimize', defaults);
