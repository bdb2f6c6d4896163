/**
 * The one door to external programs. Always an argument array, never a shell string; a program that
 * cannot be started, exits non-zero or is killed is a value, not an exception.
 */
import type { execa as Execa } from 'execa';

// execa costs ~150 ms to import; a run where every stage is a cache hit never starts a program, so it loads
// on first use.
let loaded: typeof Execa | undefined;

/** How to run a program; every field may be left out. */
export interface ExecOptions {
  /** Its working folder; the run's by default. */
  cwd?: string;
  /** Variables added to (not replacing) the run's environment. */
  env?: Record<string, string>;
  /** Killed after this long (`timedOut` then says so). */
  timeoutMs?: number;
  /** Written to its stdin, which is closed after. */
  input?: string;
  /** Aborting it kills the program: every child process stops with the run. */
  signal?: AbortSignal;
  /** Sees stderr as it arrives (a long-running tool's progress); stderr is still collected whole. */
  onStderr?: (chunk: string) => void;
}

/** How a program ended, and everything it printed. */
export interface ToolRun {
  /** The program, as given (messages quote it). */
  command: string;
  /** Its arguments, as given. */
  args: readonly string[];
  /** null when the process was killed or never started. */
  exitCode: number | null;
  /** The signal that killed it (`SIGKILL`, `SIGSEGV`), or null. */
  signal: string | null;
  /** Set when the program could not be started at all (ENOENT, EACCES). */
  spawnError?: string;
  /** It ran past `timeoutMs` and was killed. */
  timedOut: boolean;
  /** Everything it wrote to stdout, final newline kept. */
  stdout: string;
  /** Everything it wrote to stderr, final newline kept. */
  stderr: string;
  /** Wall time from the call to its end. */
  ms: number;
}

/** Runs a program; what stages call (ctx.exec), so a test can put a fake in its place. */
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
