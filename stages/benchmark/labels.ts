/**
 * What a check-data folder says is right (docs/own-model.md, "Labels"): `labels.json` beside `input_N.pb`, one
 * label per row of the batch the inputs hold.
 *   { "classes": [0, 1, …] }                      the right class of each row; for a [N, 1] probability, 1 = yes
 *   { "texts": ["Hello", …], "ctc": { … } }       the right text of each row of a [N, T, classes] CTC output,
 *                                                 decoded with `dictionary.txt` from the same folder
 * `ctc.blank` is the blank's class (default 0); the dictionary's lines are the classes after it, in order, and
 * `ctc.space: true` makes the class after the last line a space (PaddleOCR's use_space_char).
 */
import { access, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { err, ok, type Result } from '../../pipeline/result.js';

export const LABELS_FILE = 'labels.json';
export const DICTIONARY_FILE = 'dictionary.txt';

/** The folder's labels file as a stage input (`labels.json` → its path), or none when the folder has none. */
export async function labelFiles(folder: string): Promise<Record<string, string>> {
  const file = join(folder, LABELS_FILE);
  return access(file).then(
    () => ({ [LABELS_FILE]: file }),
    () => ({}),
  );
}

export type Labels =
  | { kind: 'classes'; size: number; classes: readonly number[] }
  | { kind: 'texts'; size: number; texts: readonly string[]; blank: number; symbols: readonly string[] };

/**
 * The text of one row's per-step classes, decoded greedily as CTC does: repeats collapse, blanks drop. A class
 * beyond the dictionary decodes to U+FFFD, so it can never equal a label.
 */
export function ctcGreedy(steps: readonly number[], labels: Extract<Labels, { kind: 'texts' }>): string {
  let text = '';
  let previous = -1;
  for (const c of steps) {
    if (c !== previous && c !== labels.blank) text += labels.symbols[c < labels.blank ? c : c - 1] ?? '\uFFFD';
    previous = c;
  }
  return text;
}

const isClass = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

async function readDictionary(folder: string, space: boolean): Promise<Result<string[], string>> {
  const file = join(folder, DICTIONARY_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? String(e);
    return err(`${file} cannot be read (${code}); labels.json's texts need it: one symbol per line`);
  }
  const symbols = text.split('\n');
  if (symbols.at(-1) === '') symbols.pop();
  return ok(space ? [...symbols, ' '] : symbols);
}

async function texts(file: string, raw: Record<string, unknown>): Promise<Result<Labels, string>> {
  const list = raw['texts'];
  const ctc = (raw['ctc'] ?? {}) as Record<string, unknown>;
  if (!Array.isArray(list) || !list.every((t) => typeof t === 'string')) {
    return err(`${file}: "texts" must be a list of strings, one per row of the batch`);
  }
  const blank = ctc['blank'] ?? 0;
  if (typeof ctc !== 'object' || !isClass(blank)) return err(`${file}: "ctc.blank" must be a class index (>= 0)`);
  const symbols = await readDictionary(dirname(file), ctc['space'] === true);
  if (!symbols.ok) return symbols;
  return ok({ kind: 'texts', size: list.length, texts: list as string[], blank, symbols: symbols.value });
}

/** Reads and checks a labels file; every error is one line naming the file and what to give instead. */
export async function readLabels(file: string): Promise<Result<Labels, string>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    const why = e instanceof SyntaxError ? e.message : ((e as NodeJS.ErrnoException).code ?? String(e));
    return err(`${file} cannot be read as JSON (${why})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return err(`${file} must hold an object with "classes" or "texts"`);
  }
  const record = raw as Record<string, unknown>;
  if ('texts' in record) return texts(file, record);
  const classes = record['classes'];
  if (!Array.isArray(classes) || !classes.every(isClass)) {
    return err(`${file}: "classes" must be a list of class indices (integers >= 0), one per row of the batch`);
  }
  return ok({ kind: 'classes', size: classes.length, classes });
}
