/** The onnxruntime kit: onnxruntime-node in this process, a dependency, so nothing to probe or build. */
import type { EngineKit } from '../measure/kit.js';

export const ortKit: EngineKit = {
  name: 'ort',
  tools: [],
  builds: [],
  runner: async () => (await import('./runner.js')).ortRunner,
};
