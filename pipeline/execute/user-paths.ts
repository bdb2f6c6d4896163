/**
 * Messages in the user's terms. A stage sees its inputs and outputs inside a temporary folder that is gone by
 * the time anyone reads the message, so those paths are shown as the files under `latest/` they are (or
 * will be); a skip reason gets a short form for the terminal, the full one staying in the manifest.
 */
import { join } from 'node:path';

/** Rewrites paths inside a stage's tmp folder `dir` to `<shownAs>/latest/<file>`. */
export function userPaths(
  dir: string,
  inputs: Readonly<Record<string, { file: string } | undefined>>,
  outputs: Readonly<Record<string, string>>,
  shownAs: string,
): (text: string) => string {
  const latest = join(shownAs, 'latest');
  const pairs: Array<[string, string]> = [];
  for (const [label, input] of Object.entries(inputs)) {
    if (input) pairs.push([join(dir, 'inputs', label, input.file), join(latest, input.file)]);
  }
  for (const file of Object.values(outputs)) pairs.push([join(dir, 'out', file), join(latest, file)]);
  pairs.push([join(dir, 'work'), '(scratch folder)'], [dir, '(scratch folder)']);
  return (text) => pairs.reduce((t, [from, to]) => t.replaceAll(from, to), text);
}

const SHORT = 72;

/** A reason's leading clauses (split at `: ` and `; `) that fit one short terminal line; at least the first. */
export function shortReason(reason: string): string {
  const clauses = reason.split(/(?=[:;]\s)/);
  let out = clauses[0]!;
  for (const c of clauses.slice(1)) {
    if (out.length + c.length > SHORT) break;
    out += c;
  }
  return out.length <= SHORT ? out : `${out.slice(0, SHORT - 1)}…`;
}
