/**
 * The PyTorch kit: a Python with torch (runner-process.ts), probed by the benchmark inside its run, the compiled
 * engines' builds (torch.compile's cache, the AOTInductor package, torch-fused's plan) and the benchmark's
 * eager/compile/cudagraph/aoti/fused runner (measure.ts). Its settings are the `bench` section's (bench.python,
 * bench.torch), so it has no section of its own.
 */
import { benchSection } from '../measure/config.js';
import type { EngineKit } from '../measure/kit.js';
import type { ProbedTool } from '../pipeline/registry.js';
import { aotiBuild } from './aoti-stage.js';
import { TORCH_ENGINES } from './engines.js';
import { compileBuild } from './engine-stage.js';
import { fusedBuild } from './fused-stage.js';
import { torchTool } from './runner-process.js';

const torch = torchTool();

/** The torch probe under `name`: `--require python` asks for the same thing, a Python that has torch. */
const torchProbe = (name: string): ProbedTool => ({ spec: { ...torch, name }, config: benchSection });

export const torchKit: EngineKit = {
  name: 'torch',
  engines: TORCH_ENGINES,
  tools: [torchProbe('torch'), torchProbe('python')],
  builds: [compileBuild, aotiBuild, fusedBuild],
  runner: async () => (await import('./measure.js')).torchRunner,
};
