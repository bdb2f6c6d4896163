#!/usr/bin/env node
// Thin entry for `node pipeline.mjs`, `zx pipeline.mjs` and the `enginefoundry` bin: the CLI lives in
// pipeline/cli/cli.ts, compiled and bundled into dist/cli/ by `make` (or `npm run build`).
import { existsSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
const entry = new URL('./dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('error: the CLI is not compiled: run `make` (or `npm run build`) first\n');
  process.exit(2);
}

// zx runs this file as a module from its own CLI, so the arguments are whatever follows this script's path
// in process.argv, wherever that is.
const real = (p) => {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
};
const self = real(here);
const at = process.argv.findIndex((a, i) => i > 0 && real(a) === self);
const args = process.argv.slice(at >= 0 ? at + 1 : 2);

const { main, registry } = await import(entry.href);
process.exitCode = await main(args, registry);
