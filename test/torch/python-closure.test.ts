import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { importedModules, pythonClosure } from '../../torch/python-closure.js';
import { fromRoot } from '../repo-root.js';

test('the closure follows top-level, lazy and from-imports to sibling modules only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'closure-'));
  writeFileSync(join(dir, 'a.py'), 'import os, b\n\ndef f():\n    from c.sub import x\n    return x\n');
  writeFileSync(join(dir, 'b.py'), 'import a  # a cycle\n');
  writeFileSync(join(dir, 'c.py'), 'x = 1\n');
  writeFileSync(join(dir, 'unused.py'), 'y = 2\n');
  assert.deepEqual(importedModules('import os, b\n    from c.sub import x\n'), ['os', 'b', 'c']);
  assert.deepEqual(
    pythonClosure(join(dir, 'a.py')).map((f) => basename(f)),
    ['a.py', 'b.py', 'c.py'],
  );
});

test("torch_engine.py's closure is every PyTorch module the engine build loads", () => {
  assert.deepEqual(
    pythonClosure(fromRoot('torch/torch_engine.py')).map((f) => basename(f)),
    [
      'aoti_package.py',
      'compile_cache.py',
      'fused_blocks.py',
      'fused_engine.py',
      'fused_gather.py',
      'fused_triton.py',
      'torch_engine.py',
      'torch_graph.py',
      'torch_modes.py',
      'torch_ops.py',
      'torch_runner.py',
      'torch_shape_ops.py',
      'torch_timing.py',
    ],
  );
});

test("torch_aoti.py's closure: the AOTInductor build's own code identity, the runner's module included", () => {
  const files = pythonClosure(fromRoot('torch/torch_aoti.py')).map((f) => basename(f));
  for (const f of ['torch_aoti.py', 'torch_graph.py', 'torch_ops.py', 'torch_runner.py'])
    assert.ok(files.includes(f), f);
  assert.ok(!files.includes('torch_engine.py'), 'the torch.compile build is not part of it');
});
