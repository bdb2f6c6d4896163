/** Helpers for the pipeline tests: a scratch project with a toy config, and the toy CLI as a real process. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ext = extname(fileURLToPath(import.meta.url));
/** Under tsx the tests are .ts and `--import tsx` is in execArgv; compiled they are .js under dist/. */
export const toyCli = fileURLToPath(new URL(`./fixtures/toy-cli${ext}`, import.meta.url));

export interface Project {
  dir: string;
  config: string;
  artifacts: string;
  runlog: string;
  writeConfig(yaml: string): void;
  /** Stage names run since the last call, in order. */
  takeRuns(): string[];
}

export function project(yaml = 'src:\n  text: hello\n'): Project {
  const dir = mkdtempSync(join(tmpdir(), 'ef-pipeline-'));
  const config = join(dir, 'toy.yaml');
  const runlog = join(dir, 'runs.log');
  writeFileSync(config, yaml);
  writeFileSync(runlog, '');
  return {
    dir,
    config,
    artifacts: join(dir, 'artifacts'),
    runlog,
    writeConfig: (y) => writeFileSync(config, y),
    takeRuns() {
      const runs = readFileSync(runlog, 'utf8').split('\n').filter(Boolean);
      writeFileSync(runlog, '');
      return runs;
    },
  };
}

export interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stderr's JSON log records (the kit asks for them through ENGINEFOUNDRY_LOG_FORMAT). */
  records: Array<Record<string, unknown>>;
}

export function start(p: Project, args: readonly string[], env: Record<string, string> = {}) {
  return spawn(
    process.execPath,
    [...process.execArgv, toyCli, ...args, '--config', p.config, '--artifacts', p.artifacts],
    {
      env: { ...process.env, TOY_RUNLOG: p.runlog, ENGINEFOUNDRY_LOG_FORMAT: 'json', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** A toy run that has not ended by then is killed: its test fails with what it printed instead of hanging CI. */
const RUN_LIMIT_MS = 120_000;

export function cli(p: Project, args: readonly string[], env: Record<string, string> = {}): Promise<Ran> {
  const child = start(p, args, env);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const limit = setTimeout(() => {
    stderr += `\n(test kit: killed after ${RUN_LIMIT_MS / 1000} s: ${args.join(' ')})`;
    child.kill('SIGKILL');
  }, RUN_LIMIT_MS);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      clearTimeout(limit);
      const records = stderr
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      resolve({ code, signal, stdout, stderr, records });
    });
  });
}

export function manifest(p: Project): {
  config: string;
  stages: Record<
    string,
    {
      key?: string;
      status: string;
      reason?: string;
      cause?: string;
      ms: number;
      outputs: Record<string, { path: string; sha256: string }>;
    }
  >;
} {
  return JSON.parse(readFileSync(join(p.artifacts, 'latest', 'manifest.json'), 'utf8'));
}
