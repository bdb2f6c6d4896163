/**
 * Progress as a person and a CI log see it: on a terminal one status line redrawn in place under the log
 * lines and cleared before each of them; as JSON, a live record only after a stretch of silence.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { createLogger, terminalWriter } from '../../pipeline/log/log.js';
import { describe, ProgressBoard } from '../../pipeline/log/progress.js';

test('terminal: the live line is drawn in place, cleared before a log line, redrawn after it, gone at the end', () => {
  let out = '';
  const write = terminalWriter(
    { write: (s: string) => ((out += s), true), columns: 60 } as unknown as NodeJS.WritableStream & { columns: number },
    false,
  );
  const live = (stage: string, text: string) => write({ kind: 'progress', stage, text, elapsedMs: 0 });
  live('benchmark', 'ort fp32 batch 8 timed · 45/100');
  assert.equal(out, '[benchmark] ort fp32 batch 8 timed · 45/100');
  write({ kind: 'note', level: 'info', stage: 'benchmark', message: 'ort fp32 batch 8: p50 30 ms' });
  assert.equal(
    out.slice('[benchmark] ort fp32 batch 8 timed · 45/100'.length),
    '\r\x1b[K[benchmark] ort fp32 batch 8: p50 30 ms\n[benchmark] ort fp32 batch 8 timed · 45/100',
  );
  out = '';
  write({ kind: 'built', stage: 'benchmark', key: 'abc', ms: 5 });
  assert.equal(out, '\r\x1b[K[benchmark] built stored abc (5.0 ms)\n', 'the finished stage leaves no status line');
  out = '';
  live('x', 'a'.repeat(200));
  assert.equal(out.length, 59, 'a long status line is cut to the terminal width');
});

test('JSON: a live record is written only after HEARTBEAT silence; log lines always', async () => {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (b: Buffer) => (text += b.toString()));
  const log = createLogger({ json: true, stream, heartbeatMs: 150 });
  const live = (text: string) => log.emit({ kind: 'progress', stage: 's', text, elapsedMs: 0 });
  live('too soon');
  log.emit({ kind: 'note', level: 'info', stage: 's', message: 'a line' });
  await sleep(200);
  live('heartbeat');
  live('again too soon');
  await sleep(20);
  const msgs = text
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { msg: string }).msg);
  assert.deepEqual(msgs, ['a line', 'heartbeat']);
});

test('the board says what a stage does and for how long, even a stage that never reports', async () => {
  const records: Record<string, unknown>[] = [];
  const stream = new PassThrough();
  stream.on('data', (b: Buffer) =>
    records.push(
      ...b
        .toString()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>),
    ),
  );
  const board = new ProgressBoard(createLogger({ json: true, stream, heartbeatMs: 0 }));
  board.start('graph');
  await sleep(1150);
  board.update('graph', { done: 3, total: 10, what: 'drawing', elapsedMs: 500, estimateMs: 2000 });
  board.end('graph');
  await sleep(20);
  const live = records.filter((r) => r['live'] === true).map((r) => String(r['msg']));
  assert.match(live[0]!, /^running · \d+\.\d+ s$/, 'the tick says the stage is running');
  assert.match(live.at(-1)!, /^drawing · 3\/10 · 500 ms of ~2\.00 s · stage \d+\.\d+ s$/);
  assert.equal(describe(undefined, 12_000), 'running · 12.0 s');
});
