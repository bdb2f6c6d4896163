/**
 * A file's stamp: what says, without reading it, that it is the file last seen. Size and mtime alone are what a
 * user's tools can restore (`cp -p`, a restored CI cache); a rewrite always gives the file a new ctime (and
 * usually a new inode). The store trusts an object whose stamp is unchanged; the probe memo, a tool's files.
 */
import type { Stats } from 'node:fs';

export interface Stamp {
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  ino: number;
}

export const stampOf = (s: Stats): Stamp => ({ size: s.size, mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, ino: s.ino });

export const sameStamp = (a: Stamp, b: Stamp): boolean =>
  a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino;
