/**
 * Our checker and onnx.checker.check_model(full_check=True) on the same files: a valid model passes both,
 * and each kind of invalid model is rejected by both, ours with the stated code and node.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DType, type Model } from '../../../onnx/ir.js';
import { openSession, runFloat } from '../../../onnx/ort.js';
import { encodeModel } from '../../../onnx/serde.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { floats, model, node, smallNet, vi } from '../model-kit.js';
import { referenceCheck } from './reference.js';

interface Case {
  name: string;
  model: Model;
  /** Our expected first error code and node; undefined for a valid model. */
  expect?: { code: string; node?: string };
  /**
   * Where onnx.checker 1.12 is more lenient than the format (it does not compare raw_data's length with
   * the dims, nor Conv's input channels with the weight's), the reference that must refuse the model is
   * onnxruntime: loading it, or running it on the declared input.
   */
  judge?: 'onnxruntime-load' | 'onnxruntime-run';
}

const unary = (op: string, opset: number, attrs = {}): Model =>
  model(
    {
      inputs: [vi('x', DType.FLOAT, [1, 2, 4, 4])],
      outputs: [vi('y', DType.FLOAT, [1, 2, 4, 4])],
      nodes: [node(op, ['x'], ['y'], attrs, 'n0')],
    },
    opset,
  );

function cases(): Case[] {
  return [
    ...[9, 11, 13, 17].map((opset) => ({ name: `small net at opset ${opset}`, model: smallNet(opset) })),
    ...graphCases(),
    ...nodeCases(),
  ];
}

/** Graphs that break the format: order, single assignment, initializers, declared types. */
function graphCases(): Case[] {
  const shortInit = smallNet();
  const w = shortInit.graph.initializers[0]!;
  shortInit.graph.initializers[0] = { ...w, proto: { ...w.proto, rawData: w.proto.rawData!.slice(0, 100) } };
  const dangling = smallNet();
  dangling.graph.nodes[2] = node('Relu', ['nowhere'], ['r'], {}, 'relu0');
  const wrongOut = smallNet();
  wrongOut.graph.outputs = [vi('y', DType.FLOAT, [1, 6])];
  return [
    {
      name: 'cycle',
      model: model({
        inputs: [vi('x', DType.FLOAT, [2])],
        outputs: [vi('b', DType.FLOAT, [2])],
        nodes: [node('Add', ['x', 'b'], ['a'], {}, 'first'), node('Relu', ['a'], ['b'], {}, 'second')],
      }),
      expect: { code: 'cycle' },
    },
    { name: 'dangling input', model: dangling, expect: { code: 'undefined-input', node: 'relu0' } },
    {
      name: 'initializer of another type than its graph input',
      model: {
        ...smallNet(),
        graph: { ...smallNet().graph, inputs: [...smallNet().graph.inputs, vi('fb', DType.FLOAT16, [5])] },
      },
      expect: { code: 'initializer-type-mismatch' },
    },
    {
      name: 'wrong initializer length',
      model: shortInit,
      expect: { code: 'bad-initializer' },
      judge: 'onnxruntime-load',
    },
    {
      name: 'duplicate output names',
      model: model({
        inputs: [vi('x', DType.FLOAT, [2])],
        outputs: [vi('a', DType.FLOAT, [2])],
        nodes: [node('Relu', ['x'], ['a'], {}, 'r1'), node('Sigmoid', ['x'], ['a'], {}, 'r2')],
      }),
      expect: { code: 'duplicate-output', node: 'r2' },
    },
    {
      name: 'graph output without a shape',
      model: model({
        inputs: [vi('x', DType.FLOAT, [3])],
        outputs: [vi('y', DType.FLOAT)],
        nodes: [node('Relu', ['x'], ['y'], {}, 'relu')],
      }),
      expect: { code: 'missing-shape' },
    },
    {
      name: 'declared output shape contradicts inference',
      model: wrongOut,
      expect: { code: 'shape-mismatch', node: 'y' },
    },
  ];
}

/** Nodes that break their operator's schema (counts, opsets, attributes, types) or its shape rules. */
function nodeCases(): Case[] {
  const channels = smallNet();
  channels.graph.initializers[0] = floats('w', [4, 2, 3, 3]);
  return [
    {
      name: 'Clip with min/max inputs at opset 10',
      model: model(
        {
          inputs: [vi('x', DType.FLOAT, [4])],
          outputs: [vi('y', DType.FLOAT, [4])],
          initializers: [floats('lo', [], [0]), floats('hi', [], [6])],
          nodes: [node('Clip', ['x', 'lo', 'hi'], ['y'], {}, 'clip')],
        },
        10,
      ),
      expect: { code: 'input-count', node: 'clip' },
    },
    { name: 'FastGelu at opset 17', model: unary('FastGelu', 17), expect: { code: 'unknown-op', node: 'n0' } },
    {
      name: 'Gelu at opset 17 (it first appears in 20)',
      model: unary('Gelu', 17),
      expect: { code: 'op-not-in-opset', node: 'n0' },
    },
    { name: 'HardSwish at opset 13', model: unary('HardSwish', 13), expect: { code: 'op-not-in-opset', node: 'n0' } },
    {
      name: 'MaxPool without kernel_shape',
      model: unary('MaxPool', 13),
      expect: { code: 'missing-attribute', node: 'n0' },
    },
    {
      name: 'Relu with an unknown attribute',
      model: unary('Relu', 13, { alpha: 1 }),
      expect: { code: 'unknown-attribute', node: 'n0' },
    },
    {
      name: 'Relu on int32 at opset 13',
      model: model({
        inputs: [vi('x', DType.INT32, [3])],
        outputs: [vi('y', DType.INT32, [3])],
        nodes: [node('Relu', ['x'], ['y'], {}, 'relu')],
      }),
      expect: { code: 'type-not-allowed', node: 'relu' },
    },
    {
      name: 'Conv channel mismatch',
      model: channels,
      expect: { code: 'shape-inference', node: 'c' },
      judge: 'onnxruntime-run',
    },
  ];
}

test('ours and onnx.checker agree on valid and invalid models', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ef-validate-'));
  const all = cases().map((c, i) => {
    const path = join(dir, `case-${i}.onnx`);
    writeFileSync(path, encodeModel(c.model));
    return { ...c, path };
  });
  const reference = await referenceCheck(all.map((c) => c.path));
  const table: string[] = [];
  for (const c of all) {
    const ours = validateModel(c.model);
    const ref = reference.get(c.path);
    assert.ok(ref, `no reference verdict for ${c.name}`);
    table.push(
      `${c.name}: ours ${ours.ok ? 'ok' : ours.errors[0]!.code}; onnx ${ref.ok ? 'ok' : `rejects (${ref.error})`}`,
    );
    if (!c.expect) {
      assert.deepEqual(ours.errors, [], c.name);
      assert.deepEqual(ours.unchecked, [], c.name);
      assert.equal(ref.ok, true, `${c.name}: onnx.checker says ${ref.error}`);
      continue;
    }
    assert.equal(ours.ok, false, `${c.name}: we accepted it`);
    assert.equal(ours.errors[0]!.code, c.expect.code, `${c.name}: ${JSON.stringify(ours.errors)}`);
    if (c.expect.node) assert.equal(ours.errors[0]!.node, c.expect.node, c.name);
    if (c.judge) {
      assert.equal(ref.ok, true, `${c.name}: onnx.checker now rejects it (${ref.error}); drop the onnxruntime judge`);
      const attempt = async () => {
        const session = await openSession(c.path);
        if (c.judge === 'onnxruntime-run')
          await runFloat(session, { x: { dims: [1, 3, 8, 8], data: new Float32Array(192) } });
      };
      await assert.rejects(attempt(), `${c.name}: onnxruntime accepted it`);
    } else assert.equal(ref.ok, false, `${c.name}: onnx.checker accepted it`);
  }
  console.log(table.join('\n'));
});
