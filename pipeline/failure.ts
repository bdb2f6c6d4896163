/**
 * Failures the user caused, as values the CLI prints as one line with its exit code; anything else that is
 * thrown is a bug and reads `internal error`. A file-system error is the user's when it names their
 * situation (a full disk, a read-only or missing directory, a file where a folder should be), and then the
 * line says which path and what to do.
 */
export type ExitCode = 1 | 2;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

const ERRNO_ADVICE: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device; free some space or pass --artifacts on another disk',
  EDQUOT: 'disk quota exceeded; free some space or pass --artifacts on another disk',
  EROFS: 'the file system is read-only; pass --artifacts on a writable disk',
  EACCES: 'permission denied; make it writable for this user or pass --artifacts elsewhere',
  EPERM: 'operation not permitted; make it writable for this user or pass --artifacts elsewhere',
  ENOTDIR: 'a file stands where a folder is needed; move the file or pass --artifacts elsewhere',
  EISDIR: 'a folder stands where a file is needed; move it away',
  EMFILE: 'too many open files; raise the limit (ulimit -n)',
};

/** The errno of a Node file-system error, if `e` is one. */
export function errnoOf(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : undefined;
}

/**
 * One line for an environment error the user can fix, or undefined for anything else (a bug). `shown` maps an
 * internal path (a stage's temporary folder) to what the user knows it as.
 */
export function environmentMessage(e: unknown, shown: (path: string) => string = (p) => p): string | undefined {
  const code = errnoOf(e);
  const advice = code ? ERRNO_ADVICE[code] : undefined;
  if (!code || !advice) return undefined;
  const path = (e as NodeJS.ErrnoException).path;
  return `${path ? `${shown(path)}: ` : ''}${advice} (${code})`;
}
