/**
 * Every pass, by its name, in the default order: the one place a pass is registered. Order matters within a round:
 * constants first so that patterns see initializers, fusions next, clean-up and ordering last; the manager repeats
 * the list until a round changes nothing. A pass is loaded when a run asks for it, so the config schema (loaded on
 * every CLI call) reads the names here without loading the rewrite machinery.
 */
import type { Pass } from '../../../onnx/rewrite/pass.js';

const PASSES = {
  'fold-constants': async () => (await import('./fold-constants.js')).foldConstants,
  'eliminate-identity': async () => (await import('./eliminate-identity.js')).eliminateIdentity,
  'eliminate-dropout': async () => (await import('./eliminate-dropout.js')).eliminateDropout,
  'fold-batchnorm': async () => (await import('./fold-batchnorm.js')).foldBatchnorm,
  'fuse-add-into-conv': async () => (await import('./fuse-add-into-conv.js')).fuseAddIntoConv,
  'matmul-add-to-gemm': async () => (await import('./matmul-add-to-gemm.js')).fuseMatmulAdd,
  'relu6-to-clip': async () => (await import('./relu6-to-clip.js')).relu6ToClip,
  'simplify-reshape': async () => (await import('./simplify-reshape.js')).simplifyReshape,
  'remove-dead': async () => (await import('./remove-dead.js')).removeDead,
  'topological-sort': async () => (await import('./topological-sort.js')).topologicalSort,
} as const satisfies Record<string, () => Promise<Pass>>;

export type PassName = keyof typeof PASSES;

export const passNames = Object.keys(PASSES) as PassName[];

export const defaultPasses: readonly PassName[] = passNames;

/** The passes of these names, in this order; the config schema has refused any other name. */
export async function passesByName(names: readonly string[]): Promise<Pass[]> {
  return Promise.all(
    names.map((n) => {
      const load = PASSES[n as PassName] as (() => Promise<Pass>) | undefined;
      if (!load) throw new Error(`Internal error: unknown pass '${n}' got past the config schema`);
      return load();
    }),
  );
}

/** Every pass, in the default order. */
export const allPasses = (): Promise<Pass[]> => passesByName(passNames);
