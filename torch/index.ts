/**
 * The PyTorch kit: a Python with torch (runner-process.ts) and one that can compile (probe.ts), the benchmark's
 * eager/compile/cudagraph runner (measure.ts), and the Python both run, found from what their scripts import.
 */
import type { EngineKit } from '../measure/kit.js';
import { torchRunner } from './measure.js';
import { enginePath, torchCompileTool } from './probe.js';
import { pythonClosure } from './python-closure.js';
import { runnerPath, torchTool } from './runner-process.js';

export const torchKit: EngineKit = {
  name: 'torch',
  tools: [torchTool(), torchCompileTool()],
  runner: torchRunner,
  codeFiles: () => [...new Set([...pythonClosure(runnerPath), ...pythonClosure(enginePath)])].sort(),
};
