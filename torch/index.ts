/**
 * The PyTorch kit: a Python with torch (runner-process.ts) and one that can compile (probe.ts, aoti-probe.ts),
 * the benchmark's eager/compile/cudagraph/aoti runner (measure.ts), and the Python they run, found from what
 * their scripts import.
 */
import type { EngineKit } from '../measure/kit.js';
import { aotiPath, torchAotiTool } from './aoti-probe.js';
import { torchRunner } from './measure.js';
import { enginePath, torchCompileTool } from './probe.js';
import { pythonClosure } from './python-closure.js';
import { runnerPath, torchTool } from './runner-process.js';

export const torchKit: EngineKit = {
  name: 'torch',
  tools: [torchTool(), torchCompileTool(), torchAotiTool()],
  runner: torchRunner,
  codeFiles: () =>
    [...new Set([...pythonClosure(runnerPath), ...pythonClosure(enginePath), ...pythonClosure(aotiPath)])].sort(),
};
