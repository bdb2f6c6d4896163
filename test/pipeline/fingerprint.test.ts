import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explainChange } from '../../pipeline/plan/explain.js';
import { canonical, fingerprint, keyOf, type KeyData, type KeyParts } from '../../pipeline/plan/fingerprint.js';

const data = (over: Partial<KeyData> = {}): KeyData => ({
  stage: 'engine:trt:fp16',
  version: 1,
  code: 'c'.repeat(64),
  config: { workspace_mb: 2048, shapes: { min: 1, max: 8 } },
  inputs: { model: 'a'.repeat(64) },
  tools: { trtexec: { tensorrt: '10.3.0', gpu: 'NVIDIA H100', compute: '9.0', driver: '550.54' } },
  ...over,
});

test('canonical encoding ignores key order at every level and drops undefined members', () => {
  assert.equal(canonical({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } }), '{"a":{"d":[1,{"x":1,"y":2}]},"b":1}');
  const reordered: KeyData = {
    tools: data().tools,
    inputs: data().inputs,
    config: { shapes: { max: 8, min: 1 }, workspace_mb: 2048 },
    version: 1,
    code: 'c'.repeat(64),
    stage: 'engine:trt:fp16',
  };
  assert.equal(keyOf(reordered), keyOf(data()));
  assert.match(keyOf(data()), /^[0-9a-f]{64}$/);
  assert.throws(() => canonical({ x: Number.NaN }), /Internal error/);
});

test('every part of the key data moves the key', () => {
  const base = keyOf(data());
  const variants: KeyData[] = [
    data({ stage: 'engine:trt:fp32' }),
    data({ version: 2 }),
    data({ code: 'd'.repeat(64) }),
    data({ config: { workspace_mb: 1024, shapes: { min: 1, max: 8 } } }),
    data({ inputs: { model: 'b'.repeat(64) } }),
    data({ inputs: { model: null } }),
    data({ tools: { trtexec: { tensorrt: '10.3.0', gpu: 'NVIDIA H100', compute: '9.0', driver: '555.42' } } }),
  ];
  const keys = new Set([base, ...variants.map(keyOf)]);
  assert.equal(keys.size, variants.length + 1);
});

test('explainChange names what changed, one line each', () => {
  assert.deepEqual(explainChange(data(), data()), []);
  assert.deepEqual(explainChange(undefined, data()), ['no earlier build of this stage in the store']);
  assert.deepEqual(
    explainChange(data(), data({ version: 2, config: { workspace_mb: 1024, shapes: { min: 1, max: 8 } } })),
    ['stage version 1 → 2', 'config workspace_mb changed 2048 → 1024'],
  );
  assert.deepEqual(explainChange(data(), data({ inputs: { model: 'b'.repeat(64) } })), [
    'input model changed (aaaaaaaaaaaa → bbbbbbbbbbbb)',
  ]);
  assert.deepEqual(
    explainChange(
      data(),
      data({ tools: { trtexec: { tensorrt: '10.4.0', gpu: 'NVIDIA H100', compute: '9.0', driver: '550.54' } } }),
    ),
    ['tool trtexec.tensorrt changed "10.3.0" → "10.4.0"'],
  );
  assert.deepEqual(explainChange(data(), data({ config: { workspace_mb: 2048, shapes: { min: 1 } } })), [
    'config shapes.max changed 8 → (absent)',
  ]);
  assert.deepEqual(explainChange(data(), data({ code: 'e'.repeat(64) })), ['code of stage engine:trt:fp16 changed']);
});

const parts = (over: Partial<KeyParts> = {}): KeyParts => ({
  stage: { name: 'convert:fp16', version: 1 },
  code: 'c'.repeat(64),
  config: { keep_io: true },
  inputs: { model: { sha256: 'a'.repeat(64), companions: { 'w.bin': { sha256: 'b'.repeat(64) } } }, extra: undefined },
  tools: { python: { fingerprint: { torch: '2.7.0' } } },
  ...over,
});

test('fingerprint: the key of exactly stage, version, code, config, input contents with companions, and tools', () => {
  const base = fingerprint(parts());
  assert.equal(base.key, keyOf(base.data));
  assert.deepEqual(base.data.tools, { python: { torch: '2.7.0' } });
  assert.equal(base.data.inputs['extra'], null, 'a skipped optional input is null');
  const model = (over: object) => ({ inputs: { model: { sha256: 'a'.repeat(64), ...over }, extra: undefined } });
  const same = [
    // Where an input lies, what it is called and how big it is are not its content.
    parts(model({ file: 'other.onnx', size: 9, companions: { 'w.bin': { sha256: 'b'.repeat(64), file: 'x' } } })),
    parts({ stage: { name: 'convert:fp16', version: 1, description: 'not part of the key' } as KeyParts['stage'] }),
  ];
  for (const p of same) assert.equal(fingerprint(p).key, base.key);
  const w = { sha256: 'b'.repeat(64) };
  const z = { sha256: 'd'.repeat(64) };
  const listed = fingerprint(parts(model({ companions: { 'w.bin': w, 'z.bin': z } }))).key;
  assert.equal(fingerprint(parts(model({ companions: { 'z.bin': z, 'w.bin': w } }))).key, listed, 'in any order');
  const moved = [
    parts({ stage: { name: 'convert:fp32', version: 1 } }),
    parts({ stage: { name: 'convert:fp16', version: 2 } }),
    parts({ code: 'd'.repeat(64) }),
    parts({ code: undefined }),
    parts({ config: { keep_io: false } }),
    parts(model({ companions: { 'w.bin': { sha256: 'e'.repeat(64) } } })),
    parts(model({ companions: {} })),
    parts(model({ companions: { 'w.bin': w, 'z.bin': z } })),
    parts(model({ companions: { 'w.bin': z, 'z.bin': w } })),
    parts({ inputs: { model: { sha256: 'f'.repeat(64) }, extra: undefined } }),
    parts({ inputs: { ...parts().inputs, extra: { sha256: 'a'.repeat(64) } } }),
    parts({ tools: { python: { fingerprint: { torch: '2.8.0' } } } }),
  ];
  const keys = new Set([base.key, ...moved.map((p) => fingerprint(p).key)]);
  assert.equal(keys.size, moved.length + 1, 'each change moves the key');
});
