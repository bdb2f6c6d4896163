/**
 * A file's stamp: what says, without reading it, that it is the file last seen. Size and mtime alone are what a
 * user's tools can restore (`cp -p`, a restored CI cache); a rewrite always gives the file a new ctime (and
 * usually a new inode). The store trusts an object whose stamp is unchanged; the probe memo, a tool's files.
 */
import type { Stats } from 'node:fs';

/** The stat fields a stamp compares. */
export interface Stamp {
  /** Bytes. */
  size: number;
  /** Modification time: what `cp -p` and a restored cache also restore. */
  mtimeMs: number;
  /** Status-change time: moved by every rewrite, which no user tool can set back. */
  ctimeMs: number;
  /** Inode number: a file replaced by another usually has a new one. */
  ino: number;
}

export const stampOf = (s: Stats): Stamp => ({ size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino });

export const sameStamp = (a: Stamp, b: Stamp): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;

/** Errors that say the store cannot be written by this process. */
const READ_ONLY: readonly string[] = ['EACCES', 'EPERM', 'EROFS'];

/** What a command says when `Store.unstamped` is not zero. */
export const unstampedNote = (n: number): string =>
  `the store is read-only for this process: ${n} object stamp${n === 1 ? '' : 's'} could not be refreshed ` +
  '(the objects are sound; later runs hash them again until the store is writable)';

export const readOnly = (e: unknown): boolean => READ_ONLY.includes((e as NodeJS.ErrnoException)?.code ?? '');

export const rethrow = (e: unknown): never => {
  throw e;
};
