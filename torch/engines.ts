/**
 * The PyTorch kit's engines, and whether bench.engines lists each by default: their names, through `KitEngines`.
 * Its build stages read the bench section below the kits, where bench.engines has no default of its own
 * (measure/config.ts), so `torchBench` fills in this kit's share of the default list where the config leaves
 * it out: a stage's config read from a bare run config agrees with the one the registry's schema fills in.
 */
import { benchSection, type BenchConfig } from '../measure/config.js';
import type { EngineName } from '../measure/kit.js';

export const TORCH_ENGINES = {
  'torch-eager': true,
  'torch-compile': true,
  'torch-aoti': true,
  'torch-cudagraph': false,
  'torch-fused': true,
} as const;
type Engines = typeof TORCH_ENGINES;
declare module '../measure/kit.js' {
  interface KitEngines extends Engines {}
}

const listedByDefault = (Object.keys(TORCH_ENGINES) as (keyof Engines)[]).filter((e) => TORCH_ENGINES[e]);

/** The bench section as the torch builds read it: bench.engines, where absent, this kit's default ones. */
export function torchBench(root: Readonly<Record<string, unknown>>): BenchConfig {
  const b = benchSection(root);
  const given = (root['bench'] as { engines?: unknown } | undefined)?.engines;
  return given === undefined ? { ...b, engines: listedByDefault as EngineName[] } : b;
}
