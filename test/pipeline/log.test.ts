/** The terminal form of a log record: what a person reads when stderr is a TTY. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatLine } from '../../pipeline/log.js';

test('a record reads as `[stage] status message (time) key=value`, floats to three figures, details indented', () => {
  assert.equal(
    formatLine({ level: 30, time: 1, stage: 'optimize', status: 'cached', ms: 1.63, msg: 'hit d8df54568cf4' }, false),
    '[optimize] cached hit d8df54568cf4 (1.6 ms)\n',
  );
  assert.equal(
    formatLine(
      { level: 30, stage: 'optimize', msg: 'optimized', relL2: 1.9734316031087435e-7, nodesAfter: 100 },
      false,
    ),
    '[optimize] optimized relL2=1.97e-7 nodesAfter=100\n',
  );
  assert.equal(
    formatLine(
      {
        level: 50,
        stage: 'engine:trt:fp16',
        status: 'failed',
        msg: 'out of GPU memory',
        details: ['lower trt.workspace_mib'],
      },
      false,
    ),
    'error [engine:trt:fp16] failed out of GPU memory\n    lower trt.workspace_mib\n',
  );
  assert.match(
    formatLine({ level: 40, stage: 'engine:trt:fp32', status: 'skipped', msg: 'trtexec unavailable' }, true),
    /\x1b\[33mwarn\x1b\[0m .*\x1b\[33mskipped\x1b\[0m/,
  );
});
