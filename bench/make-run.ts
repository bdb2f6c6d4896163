/**
 * What a user sits through: runs a command (default `make`), timestamps every line of its output, and prints
 * the wall time split into set-up (everything before the pipeline's first log line) and pipeline, and the
 * longest silence in the output (issue 12: at most 10 s).
 *   node dist/bench/make-run.js [--] [command args...]
 */
import { spawn } from 'node:child_process';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const [command, ...args] = argv.length > 0 ? argv : ['make'];
const started = performance.now();
let last = started;
let pipelineAt: number | undefined;
let silence = { ms: 0, before: '' };
let pending = '';

const child = spawn(command!, args, { stdio: ['ignore', 'pipe', 'pipe'] });
const onData = (chunk: Buffer) => {
  process.stderr.write(chunk);
  const lines = (pending + chunk.toString('utf8')).split('\n');
  pending = lines.pop() ?? '';
  for (const line of lines) {
    const now = performance.now();
    if (now - last > silence.ms) silence = { ms: now - last, before: line.slice(0, 160) };
    last = now;
    // The pipeline's first record: a JSON log line naming a stage.
    if (pipelineAt === undefined && /"stage":"/.test(line)) pipelineAt = now;
  }
};
child.stdout.on('data', onData);
child.stderr.on('data', onData);
const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
const end = performance.now();
if (end - last > silence.ms) silence = { ms: end - last, before: '(end of run)' };
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const setup = (pipelineAt ?? end) - started;
console.log(
  `\n${[command, ...args].join(' ')}: exit ${code}, wall ${s(end - started)} = ` +
    `set-up ${s(setup)} + pipeline ${s(end - (pipelineAt ?? end))}`,
);
console.log(`longest silence: ${s(silence.ms)}, ended by: ${silence.before}`);
process.exit(code ?? 1);
