/**
 * The one door to external programs. Always an argument array, never a shell string; a program that
 * cannot be started, exits non-zero or is killed is a value, not an exception.
 */
import type { execa as Execa } from 'execa';

// execa costs ~150 ms to import; a run where every stage is a cache hit never starts a program, so it loads
// on first use.
let loaded: typeof Execa | undefined;

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  input?: string;
  signal?: AbortSignal;
  /** Sees stderr as it arrives (a long-running tool's progress); stderr is still collected whole. */
  onStderr?: (chunk: string) => void;
}

export interface ToolRun {
  command: string;
  args: readonly string[];
  /** null when the process was killed or never started. */
  exitCode: number | null;
  signal: string | null;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

export type Exec = (command: string, args: readonly string[], options?: ExecOptions) => Promise<ToolRun>;

export const exec: Exec = async (command, args, options = {}) => {
  const started = performance.now();
  const execa = (loaded ??= (await import('execa')).execa);
  const child = execa(command, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: true,
    timeout: options.timeoutMs,
    input: options.input,
    cancelSignal: options.signal,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 256 * 1024 * 1024,
  });
  if (options.onStderr) child.stderr?.on('data', (b: Buffer) => options.onStderr?.(b.toString('utf8')));
  const r = await child;
  const spawnFailed = r.exitCode === undefined && r.signal === undefined && !r.timedOut;
  return {
    command,
    args,
    exitCode: r.exitCode ?? null,
    signal: r.signal ?? null,
    spawnError: spawnFailed ? r.originalMessage || r.shortMessage : undefined,
    timedOut: r.timedOut,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
    ms: performance.now() - started,
  };
};
