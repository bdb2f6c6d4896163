/**
 * What the CLI says when it cannot do what it was asked: one line on stderr (a JSON record under `--json`) and
 * the exit code. A user's failure says what and what to do; only a bug reads `internal error`.
 */
import { readFileSync } from 'node:fs';
import { environmentMessage, UserError } from '../failure.js';
import { didYouMean } from './suggest.js';

export function fail(json: boolean | undefined, message: string): void {
  if (json) process.stderr.write(`${JSON.stringify({ level: 50, msg: message })}\n`);
  else process.stderr.write(`error: ${message}\n`);
}

/** The package's version, read only when asked for (two folders up from dist/cli/ and dist/pipeline/). */
export function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    return pkg.version;
  } catch {
    return 'unknown';
  }
}

/** One line for whatever a command threw: the user's failure with its code, an environment error, or a bug. */
export function report(e: unknown, json: boolean): number {
  if (e instanceof UserError) {
    fail(json, e.message);
    return e.exitCode;
  }
  const environment = environmentMessage(e);
  if (environment) {
    fail(json, environment);
    return 1;
  }
  const debug = process.env['ENGINEFOUNDRY_DEBUG'] ? `\n${(e as Error)?.stack ?? ''}` : '';
  fail(json, `internal error: ${(e as Error)?.message ?? String(e)}${debug}`);
  return 1;
}

/**
 * yargs's "Unknown argument: x" as an unknown command or option, with the nearest known one; `options` are the
 * names any command takes.
 */
export function unknownArgument(
  message: string,
  args: readonly string[],
  commands: readonly string[],
  options: readonly string[],
): string {
  const choice = /Argument: (\S+), Given: (.*), Choices: (.*)$/m.exec(message);
  if (choice) return `--${choice[1]} ${choice[2]!.replace(/"/g, '')}: must be one of ${choice[3]!.replace(/"/g, '')}`;
  const m = /^Unknown arguments?: ([^,\s]+)/.exec(message);
  if (!m)
    return message.replace(/^Not enough arguments following: (\S+)$/, '--$1 needs a value').replace(/\s*\n\s*/g, ' ');
  const word = m[1]!;
  if (args.includes(word)) return `unknown command ${word}${didYouMean(word, commands)}`;
  if (options.includes(word)) return `--${word} is not an option of this command (its --help lists those)`;
  return `unknown option --${word}${didYouMean(word, options).replace('mean ', 'mean --')}`;
}
