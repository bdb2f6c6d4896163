/**
 * Helpers for the careless-and-hostile-input tests: the shipped CLI run as a user runs it, from a scratch
 * folder holding a copy of configs/ci.yaml, and the checks every such case shares — its exit code, exactly one
 * line on stderr that names the field or path, never `internal error` or a stack trace, and nothing outside
 * `artifacts/` changed.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { exec, type ToolRun } from '../../pipeline/execute/exec.js';
import { fromRoot } from '../repo-root.js';

export interface Scratch {
  dir: string;
  config: string;
  artifacts: string;
}

export function scratch(): Scratch {
  const dir = mkdtempSync(join(tmpdir(), 'ef-hostile-'));
  mkdirSync(join(dir, 'configs'));
  copyFileSync(fromRoot('configs/ci.yaml'), join(dir, 'configs', 'ci.yaml'));
  return { dir, config: join(dir, 'configs', 'ci.yaml'), artifacts: join(dir, 'artifacts') };
}

export async function cli(s: Scratch, args: readonly string[], env: Record<string, string> = {}): Promise<ToolRun> {
  assert.ok(existsSync(fromRoot('dist/cli/main.js')), 'the CLI bundle is missing: `make test` builds it');
  return exec(process.execPath, [fromRoot('pipeline.mjs'), ...args], { cwd: s.dir, env: { NO_COLOR: '1', ...env } });
}

/** Every file under `dir` but `artifacts/`, with its size and mtime. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (relative(dir, p) === 'artifacts') continue;
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p, { throwIfNoEntry: false });
        out.set(relative(dir, p), s ? `${s.size} ${s.mtimeMs}` : 'link');
      }
    }
  };
  walk(dir);
  return out;
}

/**
 * Runs a case that must be refused: `exit` code, one `error:` line on stderr matching `names`, no internal
 * error, no stack, and the scratch folder unchanged outside artifacts/.
 */
export async function refused(
  s: Scratch,
  args: readonly string[],
  exit: 1 | 2,
  names: RegExp,
  env: Record<string, string> = {},
): Promise<string> {
  const before = snapshot(s.dir);
  const r = await cli(s, args, env);
  const lines = r.stderr.split('\n').filter(Boolean);
  assert.equal(r.exitCode, exit, r.stderr);
  assert.equal(lines.length, 1, `exactly one line on stderr:\n${r.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.doesNotMatch(r.stderr, /internal error/i);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.match(lines[0]!, names);
  assert.deepEqual(snapshot(s.dir), before, 'nothing outside artifacts/ changed');
  return lines[0]!;
}
