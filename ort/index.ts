/** The onnxruntime kit: onnxruntime-node in this process, a dependency, so nothing to probe or build. */
import type { EngineKit } from '../measure/kit.js';

/** Its engines, and whether bench.engines lists each by default: their names, through `KitEngines`. */
const engines = { ort: true } as const;
type Engines = typeof engines;
declare module '../measure/kit.js' {
  interface KitEngines extends Engines {}
}

export const ortKit: EngineKit = {
  name: 'ort',
  engines,
  tools: [],
  builds: [],
  runner: async () => (await import('./runner.js')).ortRunner,
};
