/**
 * The one way this project runs trtexec: the command (local, or Docker with the folders it touches mounted),
 * its whole output written where asked, its log parsed, and a failed run classified into one message. The
 * engine build (stages/engine-trt) and the benchmark (trt/runner.ts) both go through `runTrtexec`.
 */
import { writeFile } from 'node:fs/promises';
import type { Exec } from '../pipeline/execute/exec.js';
import { err, ok, type Result } from '../pipeline/result.js';
import type { ToolFound } from '../pipeline/stage.js';
import { classifyFailure, type ClassifiedFailure } from './classify-failure.js';
import { withMounts } from './locate.js';
import { parseTrtexecLog, passed, type TrtexecLog } from './parse-log.js';

/** One trtexec invocation. */
export interface TrtexecRun {
  /** The trtexec probe's answer: its command and fingerprint (an `image` means Docker). */
  tool: ToolFound;
  args: readonly string[];
  /** Folders trtexec reads or writes; mounted at the same path when it runs in Docker. */
  mounts: readonly string[];
  /** What was being done, for the failure's message: `building the FP16 engine from model.onnx failed`. */
  what: string;
  exec: Exec;
  signal?: AbortSignal | undefined;
  timeoutMs?: number | undefined;
  /** Where the whole output (stdout, then stderr) is written, whatever the outcome. */
  logPath?: string | undefined;
  /** Where the whole output is kept when the run fails, named in the failure's details. */
  keepFailedAt?: string | undefined;
  /** Told the full argv just before it runs (the build says it in its log). */
  starting?: ((argv: readonly string[]) => void) | undefined;
}

/** The whole output as one text: stdout, then stderr under a marker line. */
const fullOutput = (stdout: string, stderr: string): string =>
  `${stdout}${stderr ? `\n==== stderr ====\n${stderr}` : ''}`;

/** Runs trtexec once: its parsed log when it exited 0 and printed PASSED, else the classified failure. */
export async function runTrtexec(r: TrtexecRun): Promise<Result<TrtexecLog, ClassifiedFailure>> {
  const command = withMounts(r.tool.command, r.tool.fingerprint.image !== undefined, [...r.mounts]);
  const argv = [...command, ...r.args];
  r.starting?.(argv);
  const run = await r.exec(argv[0]!, argv.slice(1), { timeoutMs: r.timeoutMs, signal: r.signal });
  const text = fullOutput(run.stdout, run.stderr);
  if (r.logPath) await writeFile(r.logPath, text);
  const log = parseTrtexecLog(run.stdout, run.stderr);
  if (run.exitCode === 0 && passed(log)) return ok(log);
  const failure = classifyFailure(run, r.what);
  if (!r.keepFailedAt) return err(failure);
  await writeFile(r.keepFailedAt, text);
  return err({ ...failure, details: [...(failure.details ?? []), `full trtexec output: ${r.keepFailedAt}`] });
}
