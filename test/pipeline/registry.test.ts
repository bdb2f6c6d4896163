import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadConfig } from '../../pipeline/config/config.js';
import { checkDeclarations, select } from '../../pipeline/plan/graph.js';
import { registry } from '../../stages/index.js';
import { repoRoot } from '../repo-root.js';

test('the registered stages form a DAG and every command target exists', () => {
  assert.deepEqual(checkDeclarations(registry.stages), { ok: true, value: undefined });
  for (const [command, { targets }] of Object.entries(registry.commands)) {
    const s = select(registry.stages, targets);
    assert.ok(s.ok, `${command}: ${s.ok ? '' : s.error}`);
  }
});

test('both shipped configs validate against the composed schema, with defaults filled in', async () => {
  for (const file of ['configs/mobilenetv2.yaml', 'configs/ci.yaml']) {
    const c = await loadConfig(`${repoRoot}/${file}`, registry.configSchema);
    assert.ok(c.ok, c.ok ? '' : c.error);
    for (const section of ['model', 'optimize', 'fp16', 'trt', 'bench'])
      assert.equal(typeof c.value[section], 'object', `${file}: ${section}`);
  }
});
