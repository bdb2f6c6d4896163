/**
 * Remembers a tool probe's answer across runs, for probes that can say what the answer depends on: the files
 * and folders whose stat decides it (an absent path counts: a tool appearing there changes the answer) and the
 * environment variables it reads. The next run re-checks those (a few stat calls) instead of starting the tool
 * again, which for a Python behind a pyenv shim costs more than the rest of a no-op run. A probe that cannot
 * name its dependencies is not remembered, and anything unreadable in the memo file is a miss.
 */
import { statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { sameStamp, stampOf, type Stamp } from '../store/stamp.js';

/** What a probe's answer depends on: re-checked by the next run instead of probing again. */
export interface Dependencies {
  /** Files and folders whose stat decides the answer (an absent one counts: a tool may appear there). */
  files: readonly string[];
  /** Environment variables the probe reads. */
  env: readonly string[];
}

/** A probe's answer; with `dependsOn` it is kept for later runs. */
export interface Answer<T> {
  /** The answer itself (a found tool, or why it is unavailable). */
  value: T;
  /** Without it the answer is this run's only. */
  dependsOn?: Dependencies;
}

/** Returns the remembered answer for `id` while its dependencies are unchanged, else computes (and keeps) it. */
export type ProbeMemo = <T>(id: string, compute: () => Promise<Answer<T>>) => Promise<T>;

/** A path's stamp (pipeline/store/stamp.ts) and whether it is a folder; null while it does not exist. */
type Seen = (Stamp & { dir: boolean }) | null;

interface Kept {
  value: unknown;
  files: Record<string, Seen>;
  env: Record<string, string | null>;
}

function seen(path: string): Seen {
  try {
    const s = statSync(path);
    return { ...stampOf(s), dir: s.isDirectory() };
  } catch {
    return null;
  }
}

const unchangedPath = (path: string, was: Seen): boolean => {
  const now = seen(path);
  return now === null || was === null ? now === was : now.dir === was.dir && sameStamp(now, was);
};

const envOf = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, process.env[n] ?? null]));

const unchanged = (k: Kept): boolean =>
  Object.entries(k.env).every(([n, v]) => (process.env[n] ?? null) === v) &&
  Object.entries(k.files).every(([p, was]) => unchangedPath(p, was));

function parse(text: string): Record<string, Kept> {
  const data = JSON.parse(text) as { version?: unknown; entries?: unknown };
  if (data.version !== 1 || typeof data.entries !== 'object' || data.entries === null) return {};
  return data.entries as Record<string, Kept>;
}

/** One memo file (in the store's root), read once per run and rewritten whole when an answer changes. */
export function probeMemo(file: string): ProbeMemo {
  let entries: Promise<Record<string, Kept>> | undefined;
  const read = async (): Promise<Record<string, Kept>> => {
    try {
      return parse(await readFile(file, 'utf8'));
    } catch {
      return {};
    }
  };
  const load = () => (entries ??= read());
  const save = async (all: Record<string, Kept>) => {
    const tmp = `${file}.${process.pid}.tmp`;
    await mkdir(dirname(file), { recursive: true });
    await writeFile(tmp, JSON.stringify({ version: 1, entries: all }));
    await rename(tmp, file);
  };
  return async <T>(id: string, compute: () => Promise<Answer<T>>): Promise<T> => {
    const all = await load();
    const kept = all[id];
    if (kept && typeof kept === 'object' && kept.files && kept.env && unchanged(kept)) return kept.value as T;
    const answer = await compute();
    if (!answer.dependsOn) return answer.value;
    // Stat after the probe: a file changed while it ran is then either seen by it or outdated by the next run's
    // check, except for a change inside the same stat tick, which a probe is not fast enough to race.
    const { files, env } = answer.dependsOn;
    all[id] = { value: answer.value, files: Object.fromEntries(files.map((f) => [f, seen(f)])), env: envOf(env) };
    // A memo that cannot be written costs the next run a probe, nothing else.
    await save(all).catch(() => undefined);
    return answer.value;
  };
}

/** No memory: every run probes (tests, and callers without a store). */
export const noMemo: ProbeMemo = async (_id, compute) => (await compute()).value;
