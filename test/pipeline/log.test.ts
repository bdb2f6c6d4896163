/** Events as a person reads them when stderr is a TTY, and as the JSON records CI reads. */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import type { Event } from '../../pipeline/log/events.js';
import { createLogger, formatLine } from '../../pipeline/log/log.js';
import { linesOf } from '../../pipeline/log/render.js';

const human = (e: Event, color = false, verbose = false) =>
  linesOf(e)
    .map((l) => formatLine(l, color, verbose))
    .join('');

test('an event reads as `[stage] status message (time) key=value`, floats to three figures, details indented', () => {
  const key = `d8df54568cf4${'0'.repeat(52)}`;
  assert.equal(
    human({ kind: 'hit', stage: 'optimize', key, ms: 1.63, from: 'local', reused: false }),
    '[optimize] cached hit d8df54568cf4 (1.6 ms)\n',
  );
  assert.equal(
    human({
      kind: 'note',
      level: 'info',
      stage: 'optimize',
      message: 'optimized',
      fields: { relL2: 1.9734316031087435e-7, nodesAfter: 100 },
    }),
    '[optimize] optimized relL2=1.97e-7 nodesAfter=100\n',
  );
  assert.equal(
    human({
      kind: 'note',
      level: 'info',
      stage: 'optimize',
      message: 'optimized',
      ms: 26.2,
      fields: { nodesAfter: 100 },
    }),
    '[optimize] optimized (26 ms) nodesAfter=100\n',
    "a stage's own time reads like the runner's",
  );
  assert.equal(
    human({
      kind: 'failed',
      phase: 'run',
      stage: 'engine:trt:fp16',
      cause: 'tool-failed',
      reason: 'out of GPU memory',
      details: ['lower trt.workspace_mib'],
    }),
    'error [engine:trt:fp16] failed out of GPU memory\n    lower trt.workspace_mib\n',
  );
  assert.match(
    human({ kind: 'declined', stage: 'convert:fp16', key, reason: 'nothing converts', cached: false, ms: 5 }, true),
    /\x1b\[33mwarn\x1b\[0m .*\x1b\[33mskipped\x1b\[0m nothing converts/,
  );
});

test('a skip is said in its short form, the full reason under --verbose; one that does not apply is not said', () => {
  const reason = 'trtexec unavailable: no NVIDIA GPU found: nvidia-smi is not on PATH (TensorRT engines need a GPU)';
  const skip: Event = { kind: 'skipped', stage: 'engine:trt:fp32', cause: 'tool-unavailable', reason };
  assert.equal(human(skip), '[engine:trt:fp32] skipped trtexec unavailable: no NVIDIA GPU found\n');
  assert.equal(
    human(skip, false, true),
    `[engine:trt:fp32] skipped trtexec unavailable: no NVIDIA GPU found\n    ${reason}\n`,
  );
  const lines: string[] = [];
  const stream = Object.assign(new PassThrough(), { isTTY: true });
  stream.on('data', (b: Buffer) => lines.push(b.toString()));
  const log = createLogger({ stream });
  log.emit({ kind: 'skipped', stage: 'build', cause: 'inapplicable', reason: 'a model file is named' });
  log.emit({ kind: 'planned', stage: 'build', decision: 'skip' });
  assert.deepEqual(lines, [], 'debug lines are not written at the default level');
});

test('JSON: one record per line with the fields a consumer reads; the summary repeats each failure', () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (b: Buffer) => (text += b.toString()));
  const log = createLogger({ json: true, stream });
  const key = 'ab'.repeat(32);
  log.emit({ kind: 'started', stage: 'count', key, why: 'miss', explain: ['config factor changed 2 → 3'] });
  const counts = { built: 1, cached: 2, skipped: 0, failed: 1, interrupted: 0 };
  const failures = [{ stage: 'side', reason: 'side: the configured failure', details: ['side.fail is true'] }];
  log.emit({ kind: 'summary', counts, fromRemote: 0, ms: 12.4, failures });
  const records = text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const { time: _t, ...started } = records[0]!;
  assert.deepEqual(started, {
    level: 30,
    event: 'started',
    stage: 'count',
    status: 'running',
    explain: ['config factor changed 2 → 3'],
    msg: `miss ${key.slice(0, 12)}`,
  });
  assert.deepEqual(records[1]?.['summary'], counts);
  assert.equal(records[1]?.['msg'], '1 built, 2 cached, 0 skipped, 1 failed');
  assert.equal(records[1]?.['ms'], 12);
  assert.deepEqual(
    { ...records[2], time: undefined },
    {
      level: 50,
      time: undefined,
      event: 'summary',
      stage: 'side',
      status: 'failed',
      details: ['side.fail is true'],
      msg: 'side: the configured failure',
    },
  );
});
