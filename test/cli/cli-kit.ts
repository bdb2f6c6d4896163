/** The shipped CLI (`node pipeline.mjs`, the bundle under dist/cli/) as a process, for end-to-end tests. */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exec } from '../../pipeline/execute/exec.js';
import { fromRoot } from '../repo-root.js';

export interface CliRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** stderr's JSON log records. */
  records: Array<Record<string, unknown>>;
}

export async function shippedCli(args: readonly string[], cwd = fromRoot(), timeoutMs = 300_000): Promise<CliRun> {
  assert.ok(
    existsSync(fromRoot('dist/cli/main.js')),
    'the CLI bundle is missing: `make test` builds it (make dist/.built)',
  );
  const r = await exec(process.execPath, [fromRoot('pipeline.mjs'), ...args, '--json'], { cwd, timeoutMs });
  const records = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { exitCode: r.exitCode, stdout: r.stdout, stderr: r.stderr, records };
}

export type Manifest = {
  stages: Record<
    string,
    {
      status: string;
      key?: string;
      reason?: string;
      cause?: string;
      outputs: Record<string, { path: string; sha256: string }>;
    }
  >;
};

export const readManifest = (artifacts: string): Manifest =>
  JSON.parse(readFileSync(join(artifacts, 'latest', 'manifest.json'), 'utf8')) as Manifest;

/**
 * A user error: the documented exit code, one error (the run's summary repeats a failed stage's line, so one
 * distinct message), on one line, no stack trace.
 */
export function assertOneLineError(r: CliRun, code: 1 | 2, re: RegExp): void {
  assert.equal(r.exitCode, code, r.stderr);
  const errors = [...new Set(r.records.filter((l) => l['level'] === 50).map((l) => String(l['msg'])))];
  assert.equal(errors.length, 1, `one error, got:\n${r.stderr}`);
  assert.match(errors[0]!, re);
  assert.doesNotMatch(errors[0]!, /\n/, 'one line');
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}
