/**
 * Every pass by name. Order matters within a round (names.ts): constants first so that patterns see
 * initializers, fusions next, clean-up and ordering last; the manager repeats the list until a round changes
 * nothing.
 */
import type { Pass } from '../../../onnx/rewrite/pass.js';
import { eliminateDropout } from './eliminate-dropout.js';
import { eliminateIdentity } from './eliminate-identity.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { foldConstants } from './fold-constants.js';
import { fuseAddIntoConv } from './fuse-add-into-conv.js';
import { fuseMatmulAdd } from './matmul-add-to-gemm.js';
import { passNames, type PassName } from './names.js';
import { relu6ToClip } from './relu6-to-clip.js';
import { removeDead } from './remove-dead.js';
import { simplifyReshape } from './simplify-reshape.js';
import { topologicalSort } from './topological-sort.js';

const byName: Record<PassName, Pass> = {
  'fold-constants': foldConstants,
  'eliminate-identity': eliminateIdentity,
  'eliminate-dropout': eliminateDropout,
  'fold-batchnorm': foldBatchnorm,
  'fuse-add-into-conv': fuseAddIntoConv,
  'matmul-add-to-gemm': fuseMatmulAdd,
  'relu6-to-clip': relu6ToClip,
  'simplify-reshape': simplifyReshape,
  'remove-dead': removeDead,
  'topological-sort': topologicalSort,
};

export { defaultPasses, passNames } from './names.js';

export const allPasses: readonly Pass[] = passNames.map((n) => byName[n]);

export function passesByName(names: readonly string[]): Pass[] {
  return names.map((n) => {
    const p = byName[n as PassName] as Pass | undefined;
    if (!p) throw new Error(`Internal error: unknown pass '${n}' got past the config schema`);
    return p;
  });
}
