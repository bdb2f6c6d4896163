/** The TensorRT kit: trtexec probed (probe.ts), run in one function (trtexec.ts), and timed (measure.ts). */
import type { EngineKit } from '../measure/kit.js';
import { trtRunner } from './measure.js';
import { trtexecTool } from './probe.js';

export const trtKit: EngineKit = {
  name: 'trt',
  tools: [trtexecTool()],
  runner: trtRunner,
  codeFiles: () => [],
};
