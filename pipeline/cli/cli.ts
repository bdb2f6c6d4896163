/**
 * The one CLI: `zx pipeline.mjs <command>`, the `enginefoundry` bin and the Makefile all end here. The commands
 * and their options are the registry's (pipeline/cli/project.ts) beside the CLI's own `run`, `plan` and `cache`.
 * Exit codes: 0 done (skips included), 1 a stage failed or a required tool is missing, 2 bad config or usage,
 * 130 / 143 interrupted by SIGINT / SIGTERM.
 * A failure the user caused is one line (`error: …`); only a bug reads `internal error`.
 */
import yargs, { type Argv } from 'yargs';
import { cacheCommand, type CacheArgs } from './cache.js';
import { fail, report, unknownArgument, version } from './messages.js';
import { withOptions, type Scope } from './options.js';
import { CACHE, commandTable, optionNames, PLAN, projectRows, RUN } from './project.js';
import { runCommand, type RunArgs } from './run.js';
import { logFormat } from '../log/log.js';
import type { Registry } from '../registry.js';
import { didYouMean } from './suggest.js';

/** The parser without commands: strict, never exiting, usage errors as one line each. */
function baseParser(
  args: readonly string[],
  usage: (message: string) => void,
  known: readonly string[],
  names: string[],
) {
  return (
    yargs([...args])
      .scriptName('enginefoundry')
      .usage('$0 <command> [options]')
      .exitProcess(false)
      .strict()
      .version('version', 'the version of enginefoundry', args.includes('--version') ? version() : '')
      .help()
      // Laying out help unwrapped is cheaper, should yargs do it; --help keeps 80 columns.
      .wrap(args.includes('--help') ? Math.min(80, process.stdout.columns ?? 80) : null)
      .fail((message: string | undefined, e: Error | undefined) => {
        // yargs's own validation errors arrive as YError; anything else is a bug in a handler.
        if (e && e.name !== 'YError') throw e;
        usage(unknownArgument(message ?? e?.message ?? 'invalid arguments', args, known, names));
      })
  );
}

/** Whether the log (and so a usage error) is JSON: `--json`, `--log-format json` or the environment's. */
function jsonLog(args: readonly string[]): boolean {
  const at = args.findIndex((a) => a === '--log-format' || a.startsWith('--log-format='));
  const given = at < 0 ? undefined : args[at]!.includes('=') ? args[at]!.split('=')[1] : args[at + 1];
  return args.includes('--json') || logFormat(given) === 'json';
}

/** Parses `args` (without node and the script) and runs the command; resolves to the exit code. */
export async function main(args: readonly string[], registry: Registry): Promise<number> {
  let code = 0;
  const json = jsonLog(args);
  const usage = (message: string) => {
    fail(json, `${message}; run with --help for the commands and options`);
    code = 2;
  };
  const commands = commandTable(registry);
  const known = Object.keys(commands);
  const handle = (command: string) => async (argv: unknown) => {
    // The default command sees stray words as positionals rather than as an unknown command.
    const words = (argv as { _: unknown[] })._;
    const extra = words.slice(words[0] === command ? 1 : 0);
    if (code !== 0) return;
    if (extra.length > 0) return usage(`unknown command ${String(extra[0])}${didYouMean(String(extra[0]), known)}`);
    code = await runCommand(registry, command, argv as RunArgs, command === PLAN);
  };
  let parser = baseParser(args, usage, known, optionNames(registry));
  for (const [name, c] of Object.entries(commands)) {
    if (name === CACHE) continue;
    const scope: Scope = name === PLAN ? 'plan' : 'run';
    const options = (y: Argv) => withOptions(y, scope, projectRows(registry, name, scope));
    parser = parser.command(name === RUN ? [RUN, '$0'] : name, c.describe, options, handle(name));
  }
  parser = parser.command(`${CACHE} <action>`, commands[CACHE]!.describe, cacheOptions(registry), async (argv) => {
    // yargs reports invalid choices through .fail() and still calls the handler.
    if (code !== 0) return;
    code = await cacheCommand(registry, String(argv['action']), argv as unknown as CacheArgs);
  });
  try {
    await parser.parseAsync();
  } catch (e) {
    return report(e, json);
  }
  return code;
}

/** `cache <action>`: the cache's options, and the action, one of those there are. */
const cacheOptions = (registry: Registry) => (y: Argv) =>
  withOptions(y, 'cache', projectRows(registry, CACHE, 'cache')).positional('action', {
    choices: ['ls', 'verify', 'gc', 'push', 'pull'] as const,
    describe: 'what to do',
  });
