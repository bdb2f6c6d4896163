/**
 * The PyTorch kit: a Python with torch (runner-process.ts) and one that can compile (probe.ts, aoti-probe.ts), the
 * compiled engines' builds (torch.compile's cache, the AOTInductor package, torch-fused's plan), the benchmark's
 * eager/compile/cudagraph/aoti/fused runner (measure.ts), and the Python they run, found from what their scripts
 * import.
 */
import type { EngineKit } from '../measure/kit.js';
import { aotiPath, torchAotiTool } from './aoti-probe.js';
import { aotiBuild } from './aoti-stage.js';
import { compileBuild } from './engine-stage.js';
import { fusedBuild } from './fused-stage.js';
import { enginePath, torchCompileTool } from './probe.js';
import { pythonClosure } from './python-closure.js';
import { runnerPath, torchTool } from './runner-process.js';

export const torchKit: EngineKit = {
  name: 'torch',
  tools: [torchTool(), torchCompileTool(), torchAotiTool()],
  builds: [compileBuild, aotiBuild, fusedBuild],
  runner: async () => (await import('./measure.js')).torchRunner,
  codeFiles: () =>
    [...new Set([...pythonClosure(runnerPath), ...pythonClosure(enginePath), ...pythonClosure(aotiPath)])].sort(),
};
