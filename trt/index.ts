/**
 * The TensorRT kit: trtexec probed (probe.ts), run in one function (trtexec.ts), its engines built (engine-stage.ts)
 * and timed (measure.ts).
 */
import type { EngineKit } from '../measure/kit.js';
import { trtBuild } from './engine-stage.js';
import { trtexecTool } from './probe.js';

export const trtKit: EngineKit = {
  name: 'trt',
  tools: [trtexecTool()],
  builds: [trtBuild],
  runner: async () => (await import('./measure.js')).trtRunner,
  codeFiles: () => [],
};
