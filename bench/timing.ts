/** Small timing helpers shared by the `make bench-*` scripts. */
import { exec } from '../pipeline/execute/exec.js';
import { err, ok, type Result } from '../pipeline/result.js';

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Median wall time of a whole process over `runs` runs; a failed run is an error with its stderr. */
export async function timeProcess(
  command: string,
  args: readonly string[],
  runs: number,
): Promise<Result<{ ms: number }, string>> {
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const run = await exec(command, args);
    if (run.exitCode !== 0) {
      const tail = (run.spawnError ?? run.stderr).trim().split('\n').slice(-3).join(' | ');
      return err(`${command} exited ${run.exitCode ?? run.signal}: ${tail}`);
    }
    times.push(run.ms);
  }
  return ok({ ms: median(times) });
}
