/** The reference checker, Debian's python3-onnx 1.12, over files on disk. */
import { fromRoot } from '../../repo-root.js';
import { exec } from '../../../pipeline/execute/exec.js';

const script = fromRoot('test/onnx/validate/reference-check.py');

export interface ReferenceVerdict {
  path: string;
  ok: boolean;
  error: string | null;
}

export async function referenceCheck(paths: readonly string[]): Promise<Map<string, ReferenceVerdict>> {
  const run = await exec('/usr/bin/python3', [script, ...paths], { timeoutMs: 120_000 });
  if (run.exitCode !== 0) throw new Error(`reference checker failed: ${run.stderr}`);
  const verdicts = run.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as ReferenceVerdict);
  return new Map(verdicts.map((v) => [v.path, v]));
}
