/**
 * The TensorRT kit: trtexec probed (probe.ts), run in one function (trtexec.ts), its engines built (engine-stage.ts)
 * and timed (measure.ts), its `trt` section of the run config (config.ts).
 */
import type { EngineKit } from '../measure/kit.js';
import { schema, trtConfig } from './config.js';
import { trtBuild } from './engine-stage.js';
import { trtexecTool } from './probe.js';

/** Its engines, and whether bench.engines lists each by default: their names, through `KitEngines`. */
const engines = { trt: true } as const;
type Engines = typeof engines;
declare module '../measure/kit.js' {
  interface KitEngines extends Engines {}
}

export const trtKit: EngineKit = {
  name: 'trt',
  engines,
  tools: [{ spec: trtexecTool(), config: trtConfig }],
  builds: [trtBuild],
  section: { name: 'trt', schema },
  runner: async () => (await import('./measure.js')).trtRunner,
};
