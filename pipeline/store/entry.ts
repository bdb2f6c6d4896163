/**
 * A store entry read back from disk or from a remote cache is untrusted input: every field is checked before any
 * of it is used, and nothing read from it is ever joined into a path except a validated sha256.
 */
import { badCompanionName } from './companions.js';
import { keyOf, type KeyData } from '../plan/fingerprint.js';
import { err, ok, type Result } from '../result.js';

/** One output of an entry: which object holds it, under which name it is placed. */
export interface EntryOutput {
  /** The file name the stage declared for this output. */
  file: string;
  /** Its content hash: the object that holds it. */
  sha256: string;
  /** Its size in bytes: checked against the object before its bytes are trusted. */
  size: number;
  /** Files that travel with this one, by path relative to its folder (pipeline/store/companions.ts). */
  companions?: Record<string, EntryOutput>;
}

/** One finished build, as `entries/<stage>/<key>.json` (and a remote cache's `ac/<key>`) holds it. */
export interface Entry {
  /** The key it is stored under; `data` must hash to it. */
  key: string;
  /** What the key hashes: `--explain` compares it with a later key's. */
  data: KeyData;
  /** The outputs by label; none for a decline. */
  outputs: Record<string, EntryOutput>;
  /** How long the build took. */
  ms: number;
  /** Set when the stage declined (it could not prove an output): its message, and no outputs. */
  declined?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;
export const isSha256 = (v: unknown): v is string => typeof v === 'string' && SHA256.test(v);

/** A plain file name: no directory part, nothing a path join could climb with. */
export const isFileName = (v: unknown): v is string =>
  typeof v === 'string' && v !== '' && v !== '.' && v !== '..' && !/[/\\\0]/.test(v) && v.length <= 255;

/** Output labels become object keys: plain words only, never one that reaches a prototype. */
const FORBIDDEN = ['__proto__', 'constructor', 'prototype'];
const isLabel = (v: string): boolean => /^[A-Za-z0-9._:-]{1,100}$/.test(v) && !FORBIDDEN.includes(v);

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Companions: each a plain record whose file is its own relative path, none with companions of its own. */
function checkCompanions(label: string, v: unknown): Result<Record<string, EntryOutput> | undefined, string> {
  if (v === undefined) return ok(undefined);
  if (!isRecord(v) || Object.keys(v).length > 10_000) return err(`output ${label} has malformed companions`);
  const out: Array<[string, EntryOutput]> = [];
  for (const [name, c] of Object.entries(v)) {
    const bad = badCompanionName(name);
    if (bad || name.split(/[\\/]/).some((p) => FORBIDDEN.includes(p))) {
      return err(`output ${label} has a companion whose name ${bad ?? 'is not allowed'}`);
    }
    const checked = checkOutput(`${label} companion`, c, name, false);
    if (!checked.ok) return checked;
    out.push([name, checked.value]);
  }
  return ok(Object.fromEntries(out));
}

/**
 * `top`: an output the stage declares (a plain file name; it may have companions); else a companion, whose file
 * is its path relative to the output's folder.
 */
function checkOutput(label: string, v: unknown, declared: string | undefined, top = true): Result<EntryOutput, string> {
  if (!isRecord(v)) return err(`output ${label} is not an object`);
  const file = v['file'];
  const fileOk = typeof file === 'string' && (top ? isFileName(file) : badCompanionName(file) === undefined);
  if (!fileOk) return err(`output ${label} has no valid file name`);
  if (declared !== undefined && file !== declared)
    return err(`output ${label} is named ${file}, the stage declares ${declared}`);
  if (!isSha256(v['sha256'])) return err(`output ${label} has no valid sha256`);
  const size = v['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    return err(`output ${label} has no valid size`);
  if (!top && v['companions'] !== undefined) return err(`output ${label} has companions of its own`);
  const companions = top ? checkCompanions(label, v['companions']) : ok(undefined);
  if (!companions.ok) return companions;
  return ok({ file, sha256: v['sha256'], size, companions: companions.value });
}

/**
 * Checks an entry's JSON text against the key it was looked up by. `declared` (output label → file name, from
 * the stage's declaration) is required where the stage is known; then the labels must be exactly those. The key
 * data must hash to the key, so an entry cannot claim to be a build of anything else.
 */
export function parseEntry(
  text: string,
  key: string,
  stage: string,
  declared?: Readonly<Record<string, string>>,
): Result<Entry, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return err('not JSON');
  }
  if (!isRecord(raw)) return err('not an object');
  const data = checkKey(raw, key, stage);
  if (!data.ok) return data;
  const outputs = raw['outputs'];
  if (!isRecord(outputs)) return err('it has no outputs');
  const declined = raw['declined'];
  const wrong = labelsProblem(outputs, declined, declared);
  if (wrong) return err(wrong);
  const checked: Record<string, EntryOutput> = {};
  for (const label of Object.keys(outputs)) {
    if (!isLabel(label)) return err('it has an output with an invalid label');
    const o = checkOutput(label, outputs[label], declared?.[label]);
    if (!o.ok) return o;
    checked[label] = o.value;
  }
  const ms = raw['ms'];
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0) return err('it has no valid build time');
  return ok({
    key,
    data: data.value,
    outputs: checked,
    ms,
    declined: typeof declined === 'string' ? declined : undefined,
  });
}

/** The entry's key data: for this stage, and hashing to the key the entry was looked up by. */
function checkKey(raw: Record<string, unknown>, key: string, stage: string): Result<KeyData, string> {
  if (raw['key'] !== key) return err('its key field does not match its name');
  const data = raw['data'];
  if (!isRecord(data) || data['stage'] !== stage) return err(`its key data is not for stage ${stage}`);
  try {
    if (keyOf(data as unknown as KeyData) !== key) return err('its key data does not hash to its key');
  } catch {
    return err('its key data cannot be encoded');
  }
  return ok(data as unknown as KeyData);
}

/** What is wrong with the output labels: a decline has none; otherwise they are the declared ones, or some. */
function labelsProblem(
  outputs: Record<string, unknown>,
  declined: unknown,
  declared: Readonly<Record<string, string>> | undefined,
): string | undefined {
  const labels = Object.keys(outputs);
  if (declined !== undefined) {
    const plain = typeof declined === 'string' && declined !== '' && declined.length <= 2000;
    return !plain || labels.length > 0 ? 'its decline is malformed' : undefined;
  }
  if (declared) {
    const want = Object.keys(declared);
    if (labels.length !== want.length || want.some((l) => !Object.hasOwn(outputs, l))) {
      return `its outputs are ${labels.join(', ') || 'none'}, the stage declares ${want.join(', ')}`;
    }
    return undefined;
  }
  return labels.length === 0 ? 'it has no outputs' : undefined;
}
