/**
 * The `optimize` section: which passes run, and how closely the optimized model must agree with the input.
 * The tolerance: folding reorders float32 arithmetic (W·s computed once instead of BN after Conv), which
 * moves results by a few ulps per layer; 1e-5 relative L2 leaves room for that over ~50 layers while
 * catching any real mistake, which shows up at 1e-3 or worse.
 */
import { Type, type Static } from '@sinclair/typebox';
import { configSection, Enum, Section, sectionDefaults } from '../../pipeline/config/section.js';
import { checkSchema } from './check-config.js';
import { defaultPasses, passNames } from './passes/index.js';

export const schema = Section({
  passes: Type.Array(Enum(passNames), { uniqueItems: true, default: [...defaultPasses] }),
  tolerance_rel_l2: Type.Number({ exclusiveMinimum: 0, default: 1e-5 }),
  check: checkSchema,
});

export type OptimizeConfig = Static<typeof schema>;

export const defaults: OptimizeConfig = sectionDefaults(schema);

export const optimizeConfig = (root: Readonly<Record<string, unknown>>): OptimizeConfig =>
  configSection(root, 'optimize', schema);
