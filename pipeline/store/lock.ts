/**
 * One lock file per key, so two runs on one store never build the same key twice: the second waits, then takes
 * the first one's entry. A lock whose holder is gone (same host, dead pid) is broken; a lock cannot corrupt
 * anything, since commits are atomic and content-addressed, so a lost race here costs only duplicate work.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { isAlive } from './gc.js';

interface Holder {
  pid: number;
  host: string;
  since: number;
}

async function readHolder(path: string): Promise<Holder | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as Holder;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

async function tryCreate(path: string): Promise<boolean> {
  try {
    const fh = await open(path, 'wx');
    await fh.writeFile(JSON.stringify({ pid: process.pid, host: hostname(), since: Date.now() } satisfies Holder));
    await fh.close();
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

/**
 * A dead holder's lock is moved aside before it is removed, so of two runs breaking it at once only one
 * succeeds; an unreadable lock (a holder killed between create and write) counts as dead once it is 10 s old.
 */
async function breakIfDead(path: string, firstSeen: number): Promise<boolean> {
  const holder = await readHolder(path);
  const dead = holder ? holder.host === hostname() && !isAlive(holder.pid) : Date.now() - firstSeen > 10_000;
  if (!dead) return false;
  const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch {
    return false;
  }
  await rm(aside, { force: true });
  return true;
}

/** Who holds a lock, as far as its lock file says (it may be unreadable, or being written). */
export interface Waiting {
  /** The holder's process id. */
  pid?: number;
  /** The holder's host: a store shared over a network may be locked from another machine. */
  host?: string;
}

/**
 * Takes the lock at `path`, waiting while a live process holds it; resolves to a release function, or to
 * `undefined` when `signal` aborts the wait. `onWait` is called once, when the wait begins.
 */
export async function acquire(
  path: string,
  signal: AbortSignal,
  onWait?: (holder: Waiting) => void,
): Promise<(() => Promise<void>) | undefined> {
  await mkdir(dirname(path), { recursive: true });
  const release = async () => {
    const holder = await readHolder(path);
    if (holder?.pid === process.pid && holder.host === hostname()) await rm(path, { force: true });
  };
  let waited = false;
  const firstSeen = Date.now();
  for (let delay = 25; ; delay = Math.min(delay * 2, 200)) {
    if (signal.aborted) return undefined;
    if (await tryCreate(path)) return release;
    if (await breakIfDead(path, firstSeen)) continue;
    if (!waited) {
      waited = true;
      const h = await readHolder(path);
      onWait?.({ pid: h?.pid, host: h?.host });
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(done, delay);
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
