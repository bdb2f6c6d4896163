import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DType, type Tensor } from '../../../onnx/ir.js';
import { validateModel } from '../../../onnx/validate/index.js';
import { floats, model, node, smallNet, vi } from '../model-kit.js';

const codes = (r: ReturnType<typeof validateModel>) => r.errors.map((e) => e.code);

test('a well-formed small net passes at opsets 9..17 with every op checked', () => {
  for (const opset of [9, 11, 13, 17]) {
    const r = validateModel(smallNet(opset));
    assert.deepEqual(r.errors, [], `opset ${opset}`);
    assert.equal(r.ok, true);
    assert.deepEqual(r.unchecked, []);
    assert.equal(r.opset, opset);
  }
});

test('a cycle is reported as a cycle, naming a node on it', () => {
  const m = model({
    inputs: [vi('x', DType.FLOAT, [2])],
    outputs: [vi('b', DType.FLOAT, [2])],
    nodes: [node('Add', ['x', 'b'], ['a'], {}, 'first'), node('Relu', ['a'], ['b'], {}, 'second')],
  });
  const r = validateModel(m);
  assert.equal(r.ok, false);
  const cycle = r.errors.find((e) => e.code === 'cycle');
  assert.ok(cycle, JSON.stringify(r.errors));
  assert.ok(['first', 'second'].includes(cycle.node!));
  assert.ok(!codes(r).includes('not-topological'));
});

test('out-of-order nodes without a cycle are not-topological', () => {
  const m = model({
    inputs: [vi('x', DType.FLOAT, [2])],
    outputs: [vi('b', DType.FLOAT, [2])],
    nodes: [node('Relu', ['a'], ['b'], {}, 'late'), node('Relu', ['x'], ['a'], {}, 'early')],
  });
  const r = validateModel(m);
  assert.deepEqual(codes(r), ['not-topological']);
  assert.equal(r.errors[0]!.node, 'late');
  assert.equal(r.errors[0]!.field, 'input[0]');
});

test('a dangling input names the node, the input slot and the value', () => {
  const m = smallNet();
  m.graph.nodes[2] = node('Relu', ['nowhere'], ['r'], {}, 'relu0');
  const r = validateModel(m);
  const e = r.errors.find((i) => i.code === 'undefined-input');
  assert.ok(e);
  assert.equal(e.node, 'relu0');
  assert.equal(e.field, 'input[0]');
  assert.match(e.message, /'nowhere'/);
});

test('a wrong initializer length is reported with the initializer name and both sizes', () => {
  const m = smallNet();
  const w = m.graph.initializers[0]!;
  m.graph.initializers[0] = { ...w, proto: { ...w.proto, rawData: w.proto.rawData!.subarray(0, 100) } };
  const r = validateModel(m);
  const e = r.errors.find((i) => i.code === 'bad-initializer');
  assert.ok(e, JSON.stringify(r.errors));
  assert.equal(e.field, "initializer 'w'");
  assert.match(e.message, /100 bytes .* need 432/);
});

test('duplicate output names break single assignment', () => {
  const m = model({
    inputs: [vi('x', DType.FLOAT, [2])],
    outputs: [vi('a', DType.FLOAT, [2])],
    nodes: [node('Relu', ['x'], ['a'], {}, 'r1'), node('Sigmoid', ['x'], ['a'], {}, 'r2')],
  });
  const r = validateModel(m);
  assert.deepEqual(codes(r), ['duplicate-output']);
  assert.equal(r.errors[0]!.node, 'r2');
});

test('Clip with min/max inputs at opset 10 is rejected; at 11 it is accepted', () => {
  const make = (opset: number) =>
    model(
      {
        inputs: [vi('x', DType.FLOAT, [4])],
        outputs: [vi('y', DType.FLOAT, [4])],
        initializers: [floats('lo', [], [0]), floats('hi', [], [6])],
        nodes: [node('Clip', ['x', 'lo', 'hi'], ['y'], {}, 'clip')],
      },
      opset,
    );
  const r10 = validateModel(make(10));
  assert.deepEqual(codes(r10), ['input-count']);
  assert.equal(r10.errors[0]!.node, 'clip');
  assert.match(r10.errors[0]!.message, /Clip-6/);
  assert.deepEqual(validateModel(make(11)).errors, []);
});

test('Clip with min/max attributes is valid at 10 and unknown attributes at 11', () => {
  const make = (opset: number) =>
    model(
      {
        inputs: [vi('x', DType.FLOAT, [4])],
        outputs: [vi('y', DType.FLOAT, [4])],
        nodes: [node('Clip', ['x'], ['y'], { min: { float: 0 }, max: { float: 6 } }, 'clip')],
      },
      opset,
    );
  assert.deepEqual(validateModel(make(10)).errors, []);
  const r = validateModel(make(11));
  assert.deepEqual(codes(r), ['unknown-attribute', 'unknown-attribute']);
  assert.deepEqual(
    r.errors.map((e) => e.field),
    ["attribute 'min'", "attribute 'max'"],
  );
});

test('Dropout ratio is an input from 12 and an attribute before', () => {
  const asInput = (opset: number) =>
    model(
      {
        inputs: [vi('x', DType.FLOAT, [4])],
        outputs: [vi('y', DType.FLOAT, [4])],
        initializers: [floats('ratio', [], [0.5])],
        nodes: [node('Dropout', ['x', 'ratio'], ['y'], {}, 'drop')],
      },
      opset,
    );
  assert.deepEqual(codes(validateModel(asInput(11))), ['input-count']);
  assert.deepEqual(validateModel(asInput(12)).errors, []);
});

test('an operator missing from its opset, an unknown one and a deprecated one', () => {
  const one = (op: string, opset: number, attrs = {}) =>
    validateModel(
      model(
        {
          inputs: [vi('x', DType.FLOAT, [1, 1, 2, 2])],
          outputs: [vi('y', DType.FLOAT, [1, 1, 2, 2])],
          nodes: [node(op, ['x'], ['y'], attrs, 'n')],
        },
        opset,
      ),
    );
  const fast = one('FastGelu', 17);
  assert.deepEqual(codes(fast), ['unknown-op']);
  assert.equal(fast.errors[0]!.node, 'n');
  assert.match(one('Gelu', 17).errors[0]!.message, /Gelu does not exist in opset 17; it first appears in opset 20/);
  assert.deepEqual(codes(one('Gelu', 20)), []);
  const hardswish = one('HardSwish', 13);
  assert.deepEqual(codes(hardswish), ['op-not-in-opset']);
  assert.match(hardswish.errors[0]!.message, /first appears in opset 14/);
  assert.deepEqual(codes(one('Upsample', 10)), ['deprecated-op']);
});

/** A model of one node in `domain`, importing that domain at `version`. */
function inDomain(domain: string, opType: string, version: number) {
  const m = model(
    {
      inputs: [vi('x', DType.FLOAT, [4])],
      outputs: [vi('y', DType.FLOAT, [4])],
      nodes: [{ ...node(opType, ['x'], ['y'], {}, 'n'), domain }],
    },
    13,
  );
  m.opsetImports.push({ domain, version });
  return validateModel(m);
}

test('an operator of another domain is unchecked by name, never passed silently', () => {
  const r = inDomain('com.microsoft', 'FusedConv', 1);
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.unchecked, [{ opType: 'FusedConv', domain: 'com.microsoft', nodes: ['n'] }]);
  assert.deepEqual(
    r.warnings.map((w) => w.message),
    ["1 FusedConv node(s) in domain 'com.microsoft' not checked: domain 'com.microsoft' is outside the schema table"],
  );
  assert.deepEqual(r.nodes, { total: 1, inSubgraphs: 0, subgraphs: 0, checked: 0, unchecked: 1 });
  const ml = inDomain('ai.onnx.ml', 'Normalizer', 3);
  assert.deepEqual(ml.errors, []);
  assert.deepEqual(ml.unchecked, [{ opType: 'Normalizer', domain: 'ai.onnx.ml', nodes: ['n'] }]);
});

test('ai.onnx.ml and ai.onnx.training are known by name: an unknown operator there is an error', () => {
  assert.deepEqual(codes(inDomain('ai.onnx.ml', 'Foo', 3)), ['unknown-op']);
  assert.deepEqual(codes(inDomain('ai.onnx.ml', 'Normalizer', 0)), ['op-not-in-opset']);
  assert.deepEqual(codes(inDomain('ai.onnx.training', 'Foo', 1)), ['unknown-op']);
  assert.deepEqual(codes(inDomain('ai.onnx.preview.training', 'Foo', 1)), []);
  const m = model({
    inputs: [vi('x', DType.FLOAT, [4])],
    outputs: [vi('y', DType.FLOAT, [4])],
    nodes: [{ ...node('Foo', ['x'], ['y'], {}, 'n'), domain: 'com.microsoft' }],
  });
  assert.deepEqual(codes(validateModel(m)), ['missing-opset-import']);
});

test('missing required attribute, wrong attribute type, wrong input type', () => {
  const r = validateModel(
    model(
      {
        inputs: [vi('x', DType.FLOAT, [1, 1, 4, 4]), vi('i', DType.INT32, [4])],
        outputs: [vi('y', DType.FLOAT), vi('z', DType.FLOAT), vi('c', DType.FLOAT)],
        nodes: [
          node('MaxPool', ['x'], ['y'], {}, 'pool'),
          node('Flatten', ['x'], ['z'], { axis: 'one' }, 'flat'),
          node('Cast', ['i'], ['c'], {}, 'cast'),
          node('Relu', ['i'], ['ri'], {}, 'relu'),
        ],
      },
      13,
    ),
  );
  const by = (code: string) => r.errors.filter((e) => e.code === code).map((e) => e.node);
  assert.deepEqual(by('missing-attribute'), ['pool', 'cast']);
  assert.deepEqual(by('attribute-type'), ['flat']);
  assert.deepEqual(by('type-not-allowed'), ['relu']);
});

test('IR version and opset imports', () => {
  const m = smallNet();
  assert.deepEqual(codes(validateModel({ ...m, irVersion: 0 })), ['missing-ir-version']);
  assert.deepEqual(codes(validateModel({ ...m, irVersion: 10 })), []);
  assert.deepEqual(codes(validateModel({ ...m, irVersion: 11 })), ['ir-version-too-new']);
  assert.ok(codes(validateModel({ ...m, opsetImports: [] })).includes('missing-opset-import'));
  assert.deepEqual(codes(validateModel({ ...m, opsetImports: [{ domain: '', version: 21 }] })), []);
  assert.deepEqual(codes(validateModel({ ...m, opsetImports: [{ domain: '', version: 22 }] })), ['opset-too-new']);
});

test('a model is checked at the opsets it imports', () => {
  for (const opset of [9, 18, 21]) {
    const r = validateModel(smallNet(opset));
    assert.deepEqual(r.errors, [], `opset ${opset}`);
    assert.equal(r.opset, opset);
    assert.equal(r.nodes.checked, 6);
  }
  // Clip-13 at opset 13 takes min/max as inputs; the same node at opset 10 is an error of that model, not of a config.
  const clip = (opset: number) =>
    validateModel(
      model(
        {
          inputs: [vi('x', DType.FLOAT, [4])],
          outputs: [vi('y', DType.FLOAT, [4])],
          initializers: [floats('lo', [], [0]), floats('hi', [], [6])],
          nodes: [node('Clip', ['x', 'lo', 'hi'], ['y'], {}, 'clip')],
        },
        opset,
      ),
    );
  assert.deepEqual(codes(clip(13)), []);
  assert.deepEqual(codes(clip(10)), ['input-count']);
});

test('a shape contradiction with a declared output is an error naming the node', () => {
  const m = smallNet();
  m.graph.outputs = [vi('y', DType.FLOAT, [1, 6])];
  const r = validateModel(m);
  assert.deepEqual(codes(r), ['shape-mismatch']);
  assert.match(r.errors[0]!.message, /inferred as shape \[1, 5\] but declared as \[1, 6\]/);
});

test('inconsistent inputs to a node are a shape-inference error', () => {
  const m = smallNet();
  m.graph.initializers[0] = floats('w', [4, 2, 3, 3]);
  const r = validateModel(m);
  assert.deepEqual(codes(r), ['shape-inference']);
  assert.equal(r.errors[0]!.node, 'c');
  assert.match(r.errors[0]!.message, /3 channels but weight \[4, 2, 3, 3\]/);
});

test('IR 9 and 10 element types: 8-bit floats one byte each, 4-bit integers two to a byte', () => {
  const tensor = (dtype: DType, dims: number[], bytes: number): Tensor => ({
    name: 't',
    dtype,
    dims,
    proto: { name: 't', dims, dataType: dtype, rawData: new Uint8Array(bytes) },
  });
  const withInit = (t: Tensor) =>
    validateModel(
      model(
        {
          inputs: [vi('x', DType.FLOAT, [3])],
          outputs: [vi('y', DType.FLOAT, [3])],
          initializers: [t],
          nodes: [node('Relu', ['x'], ['y'])],
        },
        21,
        10,
      ),
    );
  assert.deepEqual(codes(withInit(tensor(DType.FLOAT8E4M3FN, [3], 3))), []);
  assert.deepEqual(codes(withInit(tensor(DType.FLOAT8E5M2, [3], 4))), ['bad-initializer']);
  assert.deepEqual(codes(withInit(tensor(DType.INT4, [3], 2))), []);
  assert.deepEqual(codes(withInit(tensor(DType.UINT4, [3], 3))), ['bad-initializer']);
});
