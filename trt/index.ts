/**
 * The TensorRT kit: trtexec probed (probe.ts), run in one function (trtexec.ts), its engines built (engine-stage.ts)
 * and timed (measure.ts), its `trt` section of the run config (config.ts).
 */
import type { EngineKit } from '../measure/kit.js';
import { schema, trtConfig } from './config.js';
import { trtBuild } from './engine-stage.js';
import { trtexecTool } from './probe.js';

export const trtKit: EngineKit = {
  name: 'trt',
  tools: [{ spec: trtexecTool(), config: trtConfig }],
  builds: [trtBuild],
  section: { name: 'trt', schema },
  runner: async () => (await import('./measure.js')).trtRunner,
};
