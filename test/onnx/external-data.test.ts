import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { externalRefs, internalize } from '../../onnx/external-data.js';
import { DType, type Model, type Tensor } from '../../onnx/ir.js';
import { tensorValues } from '../../onnx/tensor.js';
import { model, node, vi } from './model-kit.js';

const external = (name: string, location: string, offset = 0): Tensor => ({
  name,
  dtype: DType.FLOAT,
  dims: [2],
  proto: {
    name,
    dataType: DType.FLOAT,
    dims: [2],
    dataLocation: 1,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(offset) },
      { key: 'length', value: '8' },
    ],
  },
});

const adder = (w: Tensor): Model =>
  model({
    inputs: [vi('x', DType.FLOAT, [2])],
    outputs: [vi('y', DType.FLOAT, [2])],
    initializers: [w],
    nodes: [node('Add', ['x', w.name], ['y'])],
  });

test("external data is read in from the model's folder at its offset", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-ext-'));
  writeFileSync(join(dir, 'w.bin'), Buffer.from(new Float32Array([9, 9, 1.5, -2]).buffer));
  const r = await internalize(adder(external('w', 'w.bin', 8)), dir);
  assert.ok(r.ok, r.ok ? '' : r.error);
  const w = r.value.graph.initializers[0]!;
  const v = tensorValues(w);
  assert.ok(v.ok);
  assert.deepEqual([...(v.value as Float32Array)], [1.5, -2]);
});

test('a tensor stored externally inside an If body is refused by name, not left for a runtime to read', () => {
  const body = {
    name: 'then',
    initializer: [{ ...external('inner_w', 'w.bin').proto }],
    output: [{ name: 'inner_w' }],
  };
  const m = model({
    inputs: [vi('c', DType.BOOL, [])],
    outputs: [vi('y', DType.FLOAT, [2])],
    nodes: [
      {
        name: 'if',
        opType: 'If',
        domain: '',
        inputs: ['c'],
        outputs: ['y'],
        attributes: [
          { name: 'then_branch', value: { kind: 'opaque', value: { name: 'then_branch', type: 5, g: body } } },
          { name: 'else_branch', value: { kind: 'opaque', value: { name: 'else_branch', type: 5, g: body } } },
        ],
      },
    ],
  });
  const r = externalRefs(m);
  assert.ok(!r.ok);
  assert.match(r.error, /tensor 'inner_w' inside an If\/Loop\/Scan body is stored externally, which is not supported/);
});
