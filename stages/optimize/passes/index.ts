/**
 * Every pass by name, and the default list. Order matters within a round: constants first so that
 * patterns see initializers, fusions next, clean-up and ordering last; the manager repeats the list until
 * a round changes nothing.
 */
import type { Pass } from '../../../onnx/rewrite/pass.js';
import { eliminateDropout } from './eliminate-dropout.js';
import { eliminateIdentity } from './eliminate-identity.js';
import { foldBatchnorm } from './fold-batchnorm.js';
import { foldConstants } from './fold-constants.js';
import { fuseAddIntoConv } from './fuse-add-into-conv.js';
import { fuseMatmulAdd } from './matmul-add-to-gemm.js';
import { relu6ToClip } from './relu6-to-clip.js';
import { removeDead } from './remove-dead.js';
import { simplifyReshape } from './simplify-reshape.js';
import { topologicalSort } from './topological-sort.js';

export const allPasses: readonly Pass[] = [
  foldConstants, eliminateIdentity, eliminateDropout, foldBatchnorm, fuseAddIntoConv, fuseMatmulAdd, relu6ToClip, simplifyReshape, removeDead, topologicalSort,
];

export const passNames = allPasses.map((p) => p.name);

export const defaultPasses: readonly string[] = passNames;

export function passesByName(names: readonly string[]): Pass[] {
  return names.map((n) => {
    const p = allPasses.find((x) => x.name === n);
    if (!p) throw new Error(`Internal error: unknown pass '${n}' got past the config schema`);
    return p;
  });
}
