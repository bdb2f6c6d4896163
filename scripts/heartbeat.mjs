#!/usr/bin/env node
/**
 * Runs a set-up command (npm ci, tsc) with its output passed through, and while it prints nothing says every
 * 5 s that it is still running: both are silent for tens of seconds on a small machine, and a silent terminal
 * reads as a hung one. Exits with the command's status.
 *   node scripts/heartbeat.mjs LABEL COMMAND [ARGS...]
 */
import { spawn } from 'node:child_process';

const [label, command, ...args] = process.argv.slice(2);
const started = Date.now();
let last = started;
const child = spawn(command, args, { stdio: ['inherit', 'pipe', 'pipe'] });
const pass = (to) => (chunk) => {
  last = Date.now();
  to.write(chunk);
};
child.stdout.on('data', pass(process.stdout));
child.stderr.on('data', pass(process.stderr));
const timer = setInterval(() => {
  if (Date.now() - last < 5000) return;
  last = Date.now();
  process.stderr.write(`${label}: still running (${Math.round((Date.now() - started) / 1000)} s)\n`);
}, 1000);
child.on('error', (e) => {
  process.stderr.write(`${label}: ${command} cannot be started (${e.message})\n`);
  process.exit(127);
});
child.on('close', (code, signal) => {
  clearInterval(timer);
  process.stderr.write(`${label}: done in ${Math.round((Date.now() - started) / 1000)} s\n`);
  process.exit(code ?? (signal ? 1 : 0));
});
