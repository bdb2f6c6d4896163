/**
 * The pass names in their default order. They live apart from the passes so that the config schema (loaded on
 * every CLI call) does not load the rewrite machinery; passes/index.ts maps each name to its pass, and the
 * compiler refuses a name without one.
 */
export const passNames = [
  'fold-constants',
  'eliminate-identity',
  'eliminate-dropout',
  'fold-batchnorm',
  'fuse-add-into-conv',
  'matmul-add-to-gemm',
  'relu6-to-clip',
  'simplify-reshape',
  'remove-dead',
  'topological-sort',
] as const;

export type PassName = (typeof passNames)[number];

export const defaultPasses: readonly PassName[] = passNames;
